fn main() -> std::process::ExitCode {
    otop::cli::main()
}
