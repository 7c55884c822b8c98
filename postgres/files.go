package postgres

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/internal/text"
)

// FileStore is a forms.Files on PostgreSQL. The bytes are kept in a bytea
// column: application attachments are documents of at most tens of MB, which
// bytea holds well; Open reads a file into memory. Put streams the upload to
// the server with COPY, so it never holds the whole file, and stops past
// MaxSize; a failed Put stores nothing.
type FileStore struct {
	db *DB
	// MaxSize bounds one file; 0 means forms.DefaultMaxFileSize.
	MaxSize int64
	Now     func() time.Time
}

// NewFileStore returns a forms.Files on db. Run db.Migrate first.
func NewFileStore(db *DB) *FileStore { return &FileStore{db: db} }

var _ forms.Files = (*FileStore)(nil)

// errCopyAborted is what the server is told when an upload stops: the
// caller's reader error stays on this side.
var errCopyAborted = errors.New("upload aborted")

// Put implements forms.FileStore.
func (s *FileStore) Put(ctx context.Context, owner, name, contentType string, r io.Reader) (string, error) {
	// Replacing bad bytes here would file the upload under another owner
	// key, or rename it, without a word; forms.Flow cleans the names it
	// passes.
	if !text.Valid(owner) || !text.Valid(name) || !text.Valid(contentType) {
		return "", forms.ErrInvalidText
	}
	limit := s.MaxSize
	if limit <= 0 {
		limit = forms.DefaultMaxFileSize
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	id := strings.ToLower(rand.Text()) // as forms.MemoryFileStore makes them
	created := now().UTC().Truncate(time.Microsecond)
	// One row in COPY's text format, the data column streamed as hex and the
	// size and digest, known only at the end, after it.
	row := &copyRow{ctx: ctx, src: r, limit: limit, hash: sha256.New(), raw: make([]byte, 32<<10)}
	row.out = append(row.out, copyText(id)+"\t"+copyText(owner)+"\t"+copyText(name)+"\t"+copyText(contentType)+"\t"+
		created.Format("2006-01-02 15:04:05.999999Z07:00")+"\t\\\\x"...)
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("postgres: forms: put file: %w", err)
	}
	defer conn.Release()
	_, err = conn.Conn().PgConn().CopyFrom(ctx, row,
		`COPY forms_files (id, owner, name, content_type, created, data, size, sha256) FROM STDIN`)
	switch {
	case errors.Is(row.err, forms.ErrFileTooLarge):
		return "", fmt.Errorf("%w: more than %d bytes", forms.ErrFileTooLarge, limit)
	case row.err != nil:
		return "", fmt.Errorf("postgres: forms: put file: %w", row.err)
	case err != nil:
		return "", fmt.Errorf("postgres: forms: put file: %w", err)
	}
	return id, nil
}

// copyRow reads src and yields it as the rest of a COPY text row.
type copyRow struct {
	ctx   context.Context
	src   io.Reader
	limit int64
	n     int64
	hash  hash.Hash
	raw   []byte // read buffer
	out   []byte // encoded, not yet returned
	pos   int
	done  bool
	err   error // the reason the row was abandoned
}

func (c *copyRow) Read(p []byte) (int, error) {
	for c.pos == len(c.out) {
		if c.done {
			return 0, io.EOF
		}
		if err := c.ctx.Err(); err != nil {
			c.err = err
			return 0, errCopyAborted
		}
		c.out, c.pos = c.out[:0], 0
		n, err := c.src.Read(c.raw)
		if n > 0 {
			if c.n += int64(n); c.n > c.limit {
				c.err = forms.ErrFileTooLarge
				return 0, errCopyAborted
			}
			c.hash.Write(c.raw[:n])
			c.out = hex.AppendEncode(c.out, c.raw[:n])
		}
		if err == io.EOF {
			c.out = append(c.out, "\t"+strconv.FormatInt(c.n, 10)+"\t\\\\x"...)
			c.out = hex.AppendEncode(c.out, c.hash.Sum(nil))
			c.out = append(c.out, '\n')
			c.done = true
		} else if err != nil {
			c.err = err
			return 0, errCopyAborted
		}
	}
	n := copy(p, c.out[c.pos:])
	c.pos += n
	return n, nil
}

// copyText escapes a value for COPY's text format. Put has refused text
// that a text column cannot hold (NUL, not UTF-8).
var copyEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

func copyText(s string) string {
	return copyEscaper.Replace(s)
}

const fileColumns = `id, owner, name, content_type, size, sha256, created`

func scanFileInfo(row pgx.Row, dest ...any) (forms.FileInfo, error) {
	var f forms.FileInfo
	var sum []byte
	if err := row.Scan(append([]any{&f.ID, &f.Owner, &f.Name, &f.ContentType, &f.Size, &sum, &f.Created}, dest...)...); err != nil {
		return f, err
	}
	if len(sum) != sha256.Size {
		return f, fmt.Errorf("postgres: forms: file %s: digest of %d bytes", f.ID, len(sum))
	}
	copy(f.SHA256[:], sum)
	f.Created = f.Created.UTC()
	return f, nil
}

// Open implements forms.Files.
func (s *FileStore) Open(ctx context.Context, id string) (forms.FileInfo, io.ReadCloser, error) {
	if absent(id) {
		return forms.FileInfo{}, nil, forms.ErrFileNotFound
	}
	var data []byte
	f, err := scanFileInfo(s.db.Pool.QueryRow(ctx, `SELECT `+fileColumns+`, data FROM forms_files WHERE id = $1`, id), &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return forms.FileInfo{}, nil, forms.ErrFileNotFound
	}
	if err != nil {
		return forms.FileInfo{}, nil, fmt.Errorf("postgres: forms: open file: %w", err)
	}
	return f, io.NopCloser(bytes.NewReader(data)), nil
}

// List implements forms.Files.
// Delete implements forms.Files.
func (s *FileStore) Delete(ctx context.Context, owner, id string) error {
	if absent(owner, id) {
		return forms.ErrFileNotFound
	}
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM forms_files WHERE id = $1 AND owner = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("postgres: forms: delete file: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return forms.ErrFileNotFound
	}
	return nil
}

func (s *FileStore) List(ctx context.Context, owner string) ([]forms.FileInfo, error) {
	if absent(owner) {
		return nil, nil
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+fileColumns+` FROM forms_files WHERE owner = $1 ORDER BY created, id`, owner)
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: list files: %w", err)
	}
	defer rows.Close()
	var out []forms.FileInfo
	for rows.Next() {
		f, err := scanFileInfo(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: forms: list files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
