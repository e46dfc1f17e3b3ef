"""One module per problem type; each calls :func:`adlkit.solve.registry.register`."""
