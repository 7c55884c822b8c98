package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/grunnmur/grunnmur/forms"
)

// fileStore keeps uploads in memory (an agency keeps them in object
// storage); the form data holds only their references.
type fileStore struct {
	mu    sync.Mutex
	files map[string]storedFile
}

type storedFile struct {
	owner, name, contentType string
	data                     []byte
}

func newFileStore() *fileStore { return &fileStore{files: map[string]storedFile{}} }

// maxFile bounds one upload (the form's largest maxSize).
const maxFile = 20 << 20

// Put implements forms.FileStore.
func (f *fileStore) Put(ctx context.Context, owner, name, contentType string, r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFile {
		return "", fmt.Errorf("skjenkebevilling: file larger than %d bytes", maxFile)
	}
	id := forms.NewID()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = storedFile{owner: owner, name: name, contentType: contentType, data: b}
	return id, nil
}
