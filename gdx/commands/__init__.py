"""One module a ``gdx`` command: ``add_parser(sub)`` declares its options, ``run(args)`` runs it."""
