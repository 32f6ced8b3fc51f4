-- wrk: manifest GETs with the Accept header a container client sends.
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"
