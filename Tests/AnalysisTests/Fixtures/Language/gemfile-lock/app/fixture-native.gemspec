Gem::Specification.new do |s|
  s.name = "fixture-native"
  s.version = "1.0.0"
  s.summary = "Drydock fixture gem fixture-native"
  s.authors = ["Drydock fixtures"]
  s.files = []
  s.licenses = ["MIT"]
  s.platform = "x86_64-linux"
end
