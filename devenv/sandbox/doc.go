// Package sandbox chooses, at build time, what stands in for the outside
// services a service leaves unset: the in-process fakes of package devenv in
// an ordinary build, nothing in a build with -tags production.
//
//	ext, err := site.Setup(os.Getenv, site.Options{Public: public, Sandbox: sandbox.Start})
//
// `go run .` then fakes every service without GRUNNMUR_* variables, while
// `go build -tags production .` links no fake at all (`go list -deps -tags
// production` shows neither devenv nor any *test package), and an unset
// service is an error there whatever GRUNNMUR_ENV says. The switch lives
// here once, instead of in two build-tagged files in every service.
package sandbox
