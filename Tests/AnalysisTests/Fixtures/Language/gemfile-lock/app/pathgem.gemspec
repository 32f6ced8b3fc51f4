Gem::Specification.new do |s|
  s.name = "pathgem"
  s.version = "0.3.0"
  s.summary = "Drydock fixture gem pathgem"
  s.authors = ["Drydock fixtures"]
  s.files = []
  s.licenses = ["MIT"]
  
end
