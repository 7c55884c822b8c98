package forms

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/grunnmur/grunnmur/i18n"
)

// Attachment is a file a submission refers to, as the submission names it:
// its bytes are in a Files store under ID.
type Attachment struct {
	ID, Name, ContentType string
	Size                  int64
	// Label is the label of the file field it was uploaded in.
	Label string
}

// Attachments lists the files sub refers to in def's file fields (those
// bound outside repeating groups), in form order, each with its field's
// label in lang. Only files stored under the submission's owner count: a
// reference to anyone else's file, or to one that is gone, is left out.
func (def *Definition) Attachments(ctx context.Context, files Files, sub *Submission, lang i18n.Lang) ([]Attachment, error) {
	stored, err := files.List(ctx, sub.Owner)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, f := range stored {
		own[f.ID] = true
	}
	var out []Attachment
	def.Walk(func(c *Component) bool {
		if c.Type != TypeFile || c.Bind == "" {
			return true
		}
		segs, err := parsePointer(c.Bind)
		if err != nil {
			return true
		}
		x, _ := walk(map[string]any(sub.Data), segs)
		list, _ := x.([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			id := str(m["id"])
			if !own[id] {
				continue
			}
			size, _, _ := number(m["size"])
			out = append(out, Attachment{ID: id, Name: str(m["name"]), ContentType: str(m["contentType"]), Size: int64(size),
				Label: def.Text(c.Label, lang)})
		}
		return true
	})
	return out, nil
}

// ServeAttachment sends the file id as a download if sub refers to it
// (Attachments) and the submission's owner uploaded it. Any other id, the
// file of someone else among them, is ErrFileNotFound, with nothing
// written: the caller answers it as a page that does not exist. Who may
// see the submission at all is the caller's check.
//
// The content type is the one sniffed at upload, but the file is always
// sent as an attachment, never shown inside the service's pages.
func (def *Definition) ServeAttachment(w http.ResponseWriter, r *http.Request, files Files, sub *Submission, id string) error {
	list, err := def.Attachments(r.Context(), files, sub, i18n.NB)
	if err != nil {
		return err
	}
	known := false
	for _, f := range list {
		known = known || f.ID == id
	}
	if !known {
		return ErrFileNotFound
	}
	info, rc, err := files.Open(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if info.Owner != sub.Owner {
		return ErrFileNotFound
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": info.Name})
	if disp == "" {
		disp = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("Content-Disposition", disp)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, rc)
	return err
}
