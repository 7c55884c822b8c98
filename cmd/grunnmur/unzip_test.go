package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type zipEntry struct {
	name string
	body string
	mode fs.FileMode // 0: a regular file
}

func zipBytes(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode | 0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipDir zips the files under dir, with names under prefix ("" for the
// zip's root), as the example service's download does.
func zipDir(t testing.TB, dir, prefix, dst string) {
	t.Helper()
	var entries []zipEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		entries = append(entries, zipEntry{name: prefix + filepath.ToSlash(rel), body: string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, zipBytes(t, entries), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestArchiveVerifyZip(t *testing.T) {
	tmp := t.TempDir()
	scratch := t.TempDir()
	t.Setenv("TMPDIR", scratch) // where verify unpacks, to see that it cleans up
	dir := filepath.Join(tmp, "extract")
	if code, out, errs := runCLI(t, "archive", "demo", "-out", dir, "-cases", "5", "-docs-per-case", "2", "-seed", "4"); code != exitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	flat, nested := filepath.Join(tmp, "flat.zip"), filepath.Join(tmp, "nested.zip")
	zipDir(t, dir, "", flat)
	zipDir(t, dir, "uttrekk/", nested)
	for _, z := range []string{flat, nested} {
		code, out, errs := runCLI(t, "archive", "verify", z)
		if code != exitOK || !strings.Contains(out, "PASSED") || !strings.Contains(out, "extract "+z+" ") {
			t.Errorf("verify %s: exit %d\n%s%s", filepath.Base(z), code, out, errs)
		}
	}
	// A flag after the zip works too.
	if code, out, _ := runCLI(t, "archive", "verify", flat, "-json"); code != exitOK || !strings.Contains(out, `"dir": "`+flat+`"`) {
		t.Errorf("verify -json after the file: exit %d\n%s", code, out)
	}
	// A zip without one of its documents fails the check that finds it.
	if err := os.Remove(filepath.Join(dir, "dokumenter", "0000001.pdf")); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(tmp, "broken.zip")
	zipDir(t, dir, "", broken)
	if code, out, _ := runCLI(t, "archive", "verify", broken); code != exitFail || !strings.Contains(out, "N5.32") || !strings.Contains(out, "FAILED") {
		t.Errorf("verify of a broken zip: exit %d\n%s", code, out)
	}
	// Nothing is left behind in the temporary folder.
	if left, _ := os.ReadDir(scratch); len(left) != 0 {
		t.Errorf("%d files left behind in TMPDIR, first %s", len(left), left[0].Name())
	}
}

func TestUnzipRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []zipEntry
		lim     zipLimits
		want    string
	}{
		{"parent", []zipEntry{{name: "../evil.txt", body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"deep parent", []zipEntry{{name: "dokumenter/../../evil.txt", body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"absolute", []zipEntry{{name: "/tmp/evil.txt", body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"backslash", []zipEntry{{name: `..\evil.txt`, body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"drive", []zipEntry{{name: `C:/evil.txt`, body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"empty", []zipEntry{{name: "", body: "x"}}, zipLimits{1 << 20, 10}, "unsafe name"},
		{"symlink", []zipEntry{{name: "link", body: "/etc", mode: fs.ModeSymlink}}, zipLimits{1 << 20, 10}, "not a regular file"},
		{"twice", []zipEntry{{name: "a.xml", body: "1"}, {name: "A.xml", body: "2"}}, zipLimits{1 << 20, 10}, "appears twice"},
		{"too big", []zipEntry{{name: "a", body: strings.Repeat("0", 600)}, {name: "b", body: strings.Repeat("0", 600)}}, zipLimits{1000, 10}, "more than the limit of 1000 bytes"},
		{"too many", []zipEntry{{name: "a"}, {name: "b"}, {name: "c"}}, zipLimits{1000, 2}, "3 entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			src := filepath.Join(tmp, "x.zip")
			os.WriteFile(src, zipBytes(t, tc.entries), 0o644)
			dst := filepath.Join(tmp, "out", "inner")
			os.MkdirAll(dst, 0o755)
			err := unzip(src, dst, tc.lim)
			if !errors.Is(err, errZip) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want errZip with %q", err, tc.want)
			}
			for _, p := range []string{filepath.Join(tmp, "evil.txt"), filepath.Join(tmp, "out", "evil.txt")} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s was written outside the folder", p)
				}
			}
		})
	}
	// Through the command: exit 1 and the reason.
	src := filepath.Join(t.TempDir(), "slip.zip")
	os.WriteFile(src, zipBytes(t, []zipEntry{{name: "../../../../../../tmp/grunnmur-slip.txt", body: "x"}}), 0o644)
	if code, _, errs := runCLI(t, "archive", "verify", src); code != exitFail || !strings.Contains(errs, "unsafe name") {
		t.Errorf("verify of a zip-slip zip: exit %d, %s", code, errs)
	}
	if _, err := os.Stat("/tmp/grunnmur-slip.txt"); err == nil {
		t.Error("the zip-slip entry was written")
	}
	// The size limit is a flag.
	src = filepath.Join(t.TempDir(), "big.zip")
	os.WriteFile(src, zipBytes(t, []zipEntry{{name: "arkivstruktur.xml", body: strings.Repeat(" ", 5000)}}), 0o644)
	if code, _, errs := runCLI(t, "archive", "verify", "-max-unzipped", "4096", src); code != exitFail || !strings.Contains(errs, "limit of 4096 bytes") {
		t.Errorf("verify over -max-unzipped: exit %d, %s", code, errs)
	}
}

// FuzzUnzip: any bytes as a zip file either unpack under the folder or are
// refused with errZip; never a panic, never a file outside the folder.
func FuzzUnzip(f *testing.F) {
	f.Add(zipBytes(f, []zipEntry{{name: "arkivstruktur.xml", body: "<arkiv/>"}, {name: "dokumenter/1.pdf", body: "%PDF"}}))
	f.Add(zipBytes(f, []zipEntry{{name: "../x", body: "x"}}))
	f.Add(zipBytes(f, []zipEntry{{name: "d/", mode: fs.ModeDir}, {name: "d/l", body: "..", mode: fs.ModeSymlink}}))
	f.Add([]byte("PK\x03\x04"))
	base := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp, err := os.MkdirTemp(base, "")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		src := filepath.Join(tmp, "in.zip")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(tmp, "out")
		os.Mkdir(dst, 0o755)
		err = unzip(src, dst, zipLimits{Bytes: 1 << 20, Files: 100})
		if err != nil && !errors.Is(err, errZip) {
			var pe *fs.PathError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			if e.Name() != "in.zip" && e.Name() != "out" {
				t.Fatalf("%s written outside the folder", e.Name())
			}
		}
	})
}
