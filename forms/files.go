package forms

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/text"
)

// File store errors.
var (
	ErrFileNotFound = errors.New("forms: file not found")
	// ErrFileTooLarge: the upload is larger than the store's MaxSize, and
	// nothing was stored.
	ErrFileTooLarge = errors.New("forms: file too large")
)

// DefaultMaxFileSize bounds one file in a store whose MaxSize is zero: the
// default per-file limit of a definition (Limits.MaxFileBytes).
const DefaultMaxFileSize = 20 << 20

// FileInfo describes a stored file.
type FileInfo struct {
	ID          string
	Owner       string // the uploader's owner key, see OwnerKeys
	Name        string // as the uploader named it (a store may replace NUL and bytes that are not UTF-8)
	ContentType string
	Size        int64
	SHA256      [sha256.Size]byte
	Created     time.Time
}

// Format prints a file without its name, which is the uploader's and may
// hold a personal number.
func (f FileInfo) Format(s fmt.State, verb rune) {
	fmt.Fprintf(s, "forms.FileInfo{ID:%s Owner:%s Name:[redacted] ContentType:%s Size:%d SHA256:%x Created:%s}",
		f.ID, f.Owner, f.ContentType, f.Size, f.SHA256[:], f.Created.UTC().Format(time.RFC3339))
}

// LogValue logs a file without its name.
func (f FileInfo) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", f.ID), slog.String("owner", f.Owner), slog.String("contentType", f.ContentType), slog.Int64("size", f.Size))
}

// Files is a FileStore that gives its files back: the case officer reads the
// applicant's attachments, and the archive keeps them. Implementations:
// MemoryFileStore here and postgres.FileStore; both pass
// formstest.TestFileStore.
//
// Put reads r to its end, or stops with ErrFileTooLarge past the store's
// size limit; when it fails for any reason (the limit, r's error, ctx) it
// stores nothing.
type Files interface {
	FileStore
	// Open returns a file and its bytes, or ErrFileNotFound. The caller
	// closes the reader. Open does not check the owner: the caller decides
	// who may read.
	Open(ctx context.Context, id string) (FileInfo, io.ReadCloser, error)
	// List returns an owner's files, oldest first.
	List(ctx context.Context, owner string) ([]FileInfo, error)
	// Delete removes the owner's file id, or returns ErrFileNotFound when
	// the owner has no such file (another owner's is left alone). The Flow
	// deletes an upload the citizen replaces.
	Delete(ctx context.Context, owner, id string) error
}

// MemoryFileStore is an in-memory Files, safe for concurrent use. Its zero
// value is ready to use. It keeps every byte in memory: for development and
// tests, or a service whose uploads may be lost on restart.
type MemoryFileStore struct {
	// MaxSize bounds one file; 0 means DefaultMaxFileSize.
	MaxSize int64
	Now     func() time.Time

	mu    sync.Mutex
	files map[string]*memFile
}

type memFile struct {
	info FileInfo
	data []byte // never changed once stored
}

// NewMemoryFileStore returns an empty in-memory file store.
func NewMemoryFileStore() *MemoryFileStore { return &MemoryFileStore{} }

var _ Files = (*MemoryFileStore)(nil)

// Put implements FileStore.
func (s *MemoryFileStore) Put(ctx context.Context, owner, name, contentType string, r io.Reader) (string, error) {
	if !text.Valid(owner) || !text.Valid(name) || !text.Valid(contentType) {
		return "", ErrInvalidText // as PostgreSQL's text columns would
	}
	limit := s.MaxSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return "", fmt.Errorf("forms: put file: %w", err)
	}
	if n > limit {
		return "", fmt.Errorf("%w: more than %d bytes", ErrFileTooLarge, limit)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	data := buf.Bytes()
	f := &memFile{data: data, info: FileInfo{
		ID: newID(), Owner: owner, Name: name, ContentType: contentType, Size: n,
		SHA256: sha256.Sum256(data), Created: now().UTC().Truncate(time.Microsecond),
	}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*memFile{}
	}
	s.files[f.info.ID] = f
	return f.info.ID, nil
}

// Open implements Files.
func (s *MemoryFileStore) Open(ctx context.Context, id string) (FileInfo, io.ReadCloser, error) {
	s.mu.Lock()
	f, ok := s.files[id]
	s.mu.Unlock()
	if !ok {
		return FileInfo{}, nil, ErrFileNotFound
	}
	return f.info, io.NopCloser(bytes.NewReader(f.data)), nil
}

// List implements Files.
func (s *MemoryFileStore) List(ctx context.Context, owner string) ([]FileInfo, error) {
	s.mu.Lock()
	var out []FileInfo
	for _, f := range s.files {
		if f.info.Owner == owner {
			out = append(out, f.info)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b FileInfo) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Delete implements Files.
func (s *MemoryFileStore) Delete(ctx context.Context, owner, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok || f.info.Owner != owner {
		return ErrFileNotFound
	}
	delete(s.files, id)
	return nil
}

// ctxReader stops a read when ctx ends, so that a slow upload to a cancelled
// request is not kept.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
