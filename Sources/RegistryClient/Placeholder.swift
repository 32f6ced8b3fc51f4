enum _PlaceholderRegistryClient {}
