"""One module per problem type; each defines its unit, ``UNIT`` (:class:`adlkit.solve.unit.ProblemType`)."""
