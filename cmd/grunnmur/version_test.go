package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/grunnmur/grunnmur", Version: "v0.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "875d35d0c1a2b3c4d5e6f708192a3b4c5d6e7f80"},
			{Key: "vcs.time", Value: "2026-12-06T07:49:02Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	noVCS := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/grunnmur/grunnmur", Version: "(devel)"}}
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"stamped", stamped, true, "grunnmur v0.4.0\n" +
			"module   github.com/grunnmur/grunnmur\n" +
			"revision 875d35d0c1a2b3c4d5e6f708192a3b4c5d6e7f80 (modified), committed 2026-12-06T07:49:02Z\n" +
			"go       go1.26.8\n"},
		{"-buildvcs=false", noVCS, true, "grunnmur (devel)\n" +
			"module   github.com/grunnmur/grunnmur\n" +
			"revision unknown (not built in a git checkout, or built with -buildvcs=false)\n" +
			"go       go1.26.8\n"},
		{"no build info", nil, false, "grunnmur (unknown version: the binary carries no build information)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			io := stdio{in: strings.NewReader(""), out: &out, err: &errb,
				buildInfo: func() (*debug.BuildInfo, bool) { return tc.info, tc.ok }}
			if code := run(io, []string{"version"}); code != exitOK || errb.Len() != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if out.String() != tc.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tc.want)
			}
		})
	}
	// The real build information of this test binary: whatever it holds,
	// the command names the module and exits 0.
	code, out, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(out, "grunnmur ") {
		t.Errorf("version: exit %d\n%s", code, out)
	}
	if code, _, errs := runCLI(t, "version", "extra"); code != exitUsage || !strings.Contains(errs, "unexpected argument") {
		t.Errorf("version extra: exit %d, %q", code, errs)
	}
}
