// Command grunnmur is the grunnmur CLI: identifier checks, Norwegian public
// holidays, Noark 5 archive extracts, form validation and the dev sandbox that
// serves every fake.
//
// Every subcommand takes its flags before its positional arguments, prints help
// with -h, and exits 0 on success, 1 on an invalid input or failed check, and 2 on
// bad usage.
package main
