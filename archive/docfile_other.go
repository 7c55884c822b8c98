//go:build !linux

package archive

import (
	"hash"
	"os"
)

// hashPlainFile is the fast path of the document workers on Linux
// (docfile_linux.go); elsewhere they take the general one.
func hashPlainFile(dir *os.File, name string, h hash.Hash, buf []byte) (n int64, ok bool) {
	return 0, false
}
