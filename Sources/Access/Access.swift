/// Access: who may do what on this registry, from where, and the record of it.
///
/// It owns identities (the admin, users, repository-scoped tokens, service identities such as the
/// trusted `defender`), password hashing, the bearer tokens the token endpoint issues, the
/// network rules (public access, IP rules, private endpoints, trusted services) and the resource
/// logs (RegistryLoginEvents, RegistryRepositoryEvents).
///
/// It deliberately knows nothing about HTTP routes or request types: `RegistryServer` turns
/// requests into the plain values here (an Authorization header string, a caller address, a
/// repository name and an action) and asks for decisions.
public enum AccessModule {}
