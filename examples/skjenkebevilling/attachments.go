package main

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// attachment is a file the applicant uploaded, as the submission refers to
// it: the bytes are in the forms.Files store under ID.
type attachment struct {
	ID, Label, Name, ContentType string
	Size                         int64
}

// attachments lists the files a submission refers to, in form order with the
// label of the field they were uploaded in. Only files the submission's owner
// uploaded count: a reference to anyone else's file is ignored. The form's
// file fields are not inside repeating groups, so their pointers start at
// the data's root.
func (a *App) attachments(ctx context.Context, s *forms.Submission, lang i18n.Lang) ([]attachment, error) {
	stored, err := a.files.List(ctx, s.Owner)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, f := range stored {
		own[f.ID] = true
	}
	var out []attachment
	a.def.Walk(func(c *forms.Component) bool {
		if c.Type != forms.TypeFile || c.Bind == "" {
			return true
		}
		x, _ := lookup(s.Data, c.Bind)
		files, _ := x.([]any)
		for _, f := range files {
			m, _ := f.(map[string]any)
			id, _ := m["id"].(string)
			name, _ := m["name"].(string)
			ct, _ := m["contentType"].(string)
			if !own[id] {
				continue
			}
			var size int64
			if n, ok := m["size"].(json.Number); ok {
				size, _ = n.Int64()
			}
			out = append(out, attachment{ID: id, Label: a.def.Text(c.Label, i18n.Lang(lang)), Name: name, ContentType: ct, Size: size})
		}
		return true
	})
	return out, nil
}

// attachmentDocuments are the attachments as documents of the application's
// journal entry, after the application itself, so that the archive extract
// keeps them. The title is the field's label: the file name is the
// applicant's and may say anything.
func (a *App) attachmentDocuments(ctx context.Context, s *forms.Submission) ([]sak.Document, error) {
	files, err := a.attachments(ctx, s, "nb")
	if err != nil {
		return nil, err
	}
	var docs []sak.Document
	for _, f := range files {
		docs = append(docs, sak.Document{Title: "Vedlegg: " + f.Label, FileName: f.Name, MediaType: f.ContentType, Ref: attachmentRef(f.ID)})
	}
	return docs, nil
}

func attachmentRef(id string) string { return "vedlegg:" + id }

// officerAttachment sends an officer one of the case's attachments.
func (a *App) officerAttachment(w http.ResponseWriter, r *http.Request) {
	c, err := a.sak.Get(r.Context(), officerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.serveAttachment(w, r, c)
}

// citizenAttachment sends the applicant one of their own case's attachments;
// anyone else's case is not found.
func (a *App) citizenAttachment(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.serveAttachment(w, r, c)
}

// serveAttachment sends the file {file} if the case's submission refers to
// it and it was uploaded by the submission's owner; otherwise 404, the same
// as for a file that does not exist.
func (a *App) serveAttachment(w http.ResponseWriter, r *http.Request, c *sak.Case) {
	ctx := r.Context()
	sub, err := a.submission(ctx, c)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	files, err := a.attachments(ctx, sub, "nb")
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	id := r.PathValue("file")
	known := false
	for _, f := range files {
		known = known || f.ID == id
	}
	if !known {
		a.svc.Fail(w, r, site.ErrNotYours)
		return
	}
	info, rc, err := a.files.Open(ctx, id)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	defer rc.Close()
	if info.Owner != sub.Owner {
		a.svc.Fail(w, r, site.ErrNotYours)
		return
	}
	// The content type was sniffed from the bytes at upload and is one the
	// form accepts; the file is still sent as a download, never shown inside
	// the service's pages.
	w.Header().Set("Content-Type", info.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": info.Name})
	if disp == "" {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", disp)
	w.Header().Set("Cache-Control", "private, no-store")
	if _, err := io.Copy(w, rc); err != nil {
		a.log.WarnContext(ctx, "attachment download", "case", c.ID, "error", err)
	}
}
