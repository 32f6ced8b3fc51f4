// Reads "range<TAB>spec<TAB>version" lines; prints "spec<TAB>version<TAB>1|0" using Maven's own
// VersionRange.createFromVersionSpec(...).containsVersion(...).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.apache.maven.artifact.versioning.DefaultArtifactVersion;
import org.apache.maven.artifact.versioning.VersionRange;

public class EvalMavenRange {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            try {
                VersionRange r = VersionRange.createFromVersionSpec(f[1]);
                boolean c = r.containsVersion(new DefaultArtifactVersion(f[2]));
                System.out.println(f[1] + "\t" + f[2] + "\t" + (c ? 1 : 0));
            } catch (Exception e) {
                // invalid spec: left out of the table
            }
        }
    }
}
