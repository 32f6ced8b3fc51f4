import HTTPTypes

extension HTTPFields {
    /// The value of the first field named `name`. `headers[name]` joins every field of that name
    /// into a new string, which the per-request paths (access gate, resource log) do not need:
    /// they read single-valued fields, and a repeated one is malformed anyway.
    func first(_ name: HTTPField.Name) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }
}
