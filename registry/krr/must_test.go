package krr_test

// must returns v, and panics on a constructor's error: the tests' Configs are
// valid.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
