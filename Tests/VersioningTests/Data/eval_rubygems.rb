# Reads "cmp<TAB>a<TAB>b" or "req<TAB>requirement<TAB>version" lines; prints them with Gem's answer.
$stdin.each_line do |line|
  kind, x, y = line.chomp.split("\t", -1)
  begin
    if kind == "cmp"
      puts "#{x}\t#{y}\t#{Gem::Version.new(x) <=> Gem::Version.new(y)}"
    else
      req = Gem::Requirement.new(*x.split(",").map(&:strip))
      puts "#{x}\t#{y}\t#{req.satisfied_by?(Gem::Version.new(y)) ? 1 : 0}"
    end
  rescue ArgumentError
    # not valid for RubyGems: left out of the table
  end
end
