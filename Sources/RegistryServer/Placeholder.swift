enum _PlaceholderRegistryServer {}
