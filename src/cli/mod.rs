//! Command-line interface: clap definitions and one `run` per subcommand.
