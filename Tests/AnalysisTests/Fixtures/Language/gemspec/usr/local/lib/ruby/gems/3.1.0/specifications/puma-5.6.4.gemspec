# -*- encoding: utf-8 -*-
# stub: puma 5.6.4 ruby lib

Gem::Specification.new do |s|
  s.name = "puma".freeze
  s.version = "5.6.4"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.require_paths = ["lib".freeze]
  s.authors = ["Synthetic Author".freeze]
  s.date = "2022-06-01"
  s.description = "Puma is a simple, fast, threaded, and highly parallel HTTP 1.1 server".freeze
  s.files = ["lib/puma.rb".freeze]
  s.homepage = "https://example.invalid/puma".freeze
  s.licenses = ["BSD-3-Clause".freeze]
  s.required_ruby_version = Gem::Requirement.new(">= 2.4".freeze)
  s.rubygems_version = "3.3.15".freeze
  s.summary = "Puma is a simple, fast, threaded, and highly parallel HTTP 1.1 server".freeze
end
