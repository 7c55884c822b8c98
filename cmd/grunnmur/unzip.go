package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// errZip is the reason a zip file is refused: unreadable, unsafe (a name that
// leaves the folder, a link, a device), ambiguous (the same name twice) or
// larger than the limits.
var errZip = errors.New("grunnmur: unusable zip file")

// zipLimits bound what unzip writes, whatever the zip's headers claim.
type zipLimits struct {
	Bytes int64 // all files together, uncompressed
	Files int
}

// unzip writes the regular files and folders of the zip file at src under
// dst (an existing folder), through an os.Root, so that no name, however
// crafted, writes outside dst. Every entry's name must be a local path in
// the zip's own syntax (forward slashes; no "..", no leading "/", no
// backslash, no drive letter); links and other special files are refused.
func unzip(src, dst string, lim zipLimits) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("%w: %w", errZip, err)
	}
	defer zr.Close()
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	if len(zr.File) > lim.Files {
		return fmt.Errorf("%w: %d entries, more than the limit of %d", errZip, len(zr.File), lim.Files)
	}
	seen := make(map[string]bool, len(zr.File))
	left := lim.Bytes
	for _, f := range zr.File {
		name, err := zipEntryName(f.Name)
		if err != nil {
			return err
		}
		// A case-insensitive file system would merge two names that differ
		// only in case: refuse them as the same name.
		key := strings.ToLower(name)
		if seen[key] {
			return fmt.Errorf("%w: %q appears twice", errZip, name)
		}
		seen[key] = true
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := root.MkdirAll(filepath.FromSlash(name), 0o755); err != nil {
				return err
			}
			continue
		case !mode.IsRegular():
			return fmt.Errorf("%w: %q is not a regular file (%s)", errZip, name, mode.Type())
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
				return err
			}
		}
		n, err := unzipFile(root, f, filepath.FromSlash(name), left)
		if err != nil {
			return err
		}
		if n > left {
			return fmt.Errorf("%w: it unpacks to more than the limit of %d bytes", errZip, lim.Bytes)
		}
		left -= n
	}
	return nil
}

// zipEntryName checks an entry's name and returns it without a trailing
// slash.
func zipEntryName(name string) (string, error) {
	clean := strings.TrimSuffix(name, "/")
	if clean == "" || strings.ContainsAny(clean, "\\\x00:") || !fs.ValidPath(clean) {
		return "", fmt.Errorf("%w: unsafe name %q", errZip, name)
	}
	return clean, nil
}

// unzipFile copies one entry, at most left+1 bytes of it, and returns how
// many it wrote: more than left means the limit is passed.
func unzipFile(root *os.Root, f *zip.File, name string, left int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", errZip, f.Name, err)
	}
	defer rc.Close()
	w, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.LimitReader(rc, left+1))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return n, err // a write failed: the disk, not the zip
		}
		return n, fmt.Errorf("%w: %s: %w", errZip, f.Name, err)
	}
	return n, nil
}
