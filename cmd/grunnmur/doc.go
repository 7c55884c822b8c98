// Command grunnmur is the grunnmur CLI: identifier checks (the kind given or
// detected), Norwegian public holidays, Noark 5 archive extracts (a folder or
// a .zip), form validation, the dev sandbox that serves every fake, and the
// version of the build.
//
// Every subcommand takes its flags before, between or after its positional
// arguments ("--" ends them), prints its help once to stdout with -h (or
// "grunnmur help COMMAND"), and exits 0 on success, 1 on an invalid input or
// failed check, and 2 on bad usage.
package main
