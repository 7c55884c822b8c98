package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/formbody"
	"github.com/grunnmur/grunnmur/internal/text"
)

// FileStore keeps uploaded files; the form data holds their references.
// Files adds reading them back.
type FileStore interface {
	// Put stores a file and returns its id. A file larger than the store
	// takes gives ErrFileTooLarge; an owner, name or type that is not UTF-8
	// or holds a NUL gives ErrInvalidText.
	Put(ctx context.Context, owner, name, contentType string, r io.Reader) (id string, err error)
}

// Flow serves a definition as a multi-page journey that works without
// JavaScript, mounted under a prefix with http.StripPrefix:
//
//	POST /                  start a draft, then 303 to its first page
//	GET  /{draft}/{page}    a page; POST saves it (Continue, Save, Add, Remove)
//	GET  /{draft}/check     check your answers; POST submits
//	GET  /receipt/{id}      the receipt; /receipt/{id}.json its canonical JSON,
//	                        /receipt/{id}.pdf a tagged PDF (with Flow.PDF)
//
// Continue validates the page and goes on only when it has no errors;
// everything the citizen types is kept in the draft either way. Every draft
// and receipt is checked against Owner: someone else's gives 404.
//
// Flow does no authentication and no CSRF protection: wrap it in the auth
// package's middleware.
type Flow struct {
	Def *Definition
	// Store keeps drafts and submissions. nil keeps them in memory, in a
	// MemoryStore of the Flow's own: fine for development and tests, lost
	// on restart.
	Store Store
	// Owner returns the owner key of the logged-in citizen (see OwnerKeys).
	Owner func(r *http.Request) (string, error)
	// Lang returns the citizen's language; default: the lang query
	// parameter, else nb.
	Lang func(r *http.Request) i18n.Lang
	// Files stores uploads. nil keeps them in memory, in a MemoryFileStore
	// of the Flow's own. An upload the store refuses as too large is shown
	// to the citizen as a too large file, like one over the component's
	// maxSize.
	Files FileStore
	// Submitted runs after a submission is stored, for example to open a
	// case. An error is logged; the citizen still gets the receipt.
	Submitted func(ctx context.Context, s *Submission) error
	// PDF, when set, serves the receipt as a tagged PDF at
	// /receipt/{id}.pdf.
	PDF PDFPrinter
	// Renderer writes the pages; its BasePath is set from the request.
	Renderer Renderer
	// Hidden, when set, gives the hidden inputs to put inside every form
	// of the request's page, such as the auth package's CSRFField.
	Hidden func(r *http.Request) template.HTML
	// Prefix is where the Flow is mounted ("/soknad"), for links.
	Prefix string
	Now    func() time.Time
	Logger *slog.Logger

	memOnce  sync.Once
	memStore *MemoryStore
	memFiles *MemoryFileStore
}

// store is Store, or the Flow's own in-memory store when Store is nil.
func (f *Flow) store() Store {
	if f.Store != nil {
		return f.Store
	}
	f.memOnce.Do(f.inMemory)
	return f.memStore
}

// files is Files, or the Flow's own in-memory file store when Files is nil.
func (f *Flow) files() FileStore {
	if f.Files != nil {
		return f.Files
	}
	f.memOnce.Do(f.inMemory)
	return f.memFiles
}

func (f *Flow) inMemory() {
	f.memStore, f.memFiles = NewMemoryStore(), NewMemoryFileStore()
}

func (f *Flow) now() time.Time { return defaults.Now(f.Now) }

func (f *Flow) log() *slog.Logger { return defaults.Logger(f.Logger) }

func (f *Flow) lang(r *http.Request) i18n.Lang {
	if f.Lang != nil {
		return normLang(f.Lang(r))
	}
	l, _ := i18n.Parse(r.URL.Query().Get("lang"))
	return normLang(l)
}

func (f *Flow) renderer(draftID string) *Renderer {
	r := f.Renderer
	r.BasePath = f.Prefix + "/" + draftID
	return &r
}

// ServeHTTP implements http.Handler.
func (f *Flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.Def == nil || f.Owner == nil {
		f.log().ErrorContext(r.Context(), "forms: a Flow needs a Def and an Owner")
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	owner, err := f.Owner(r)
	if err != nil || owner == "" {
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "" && r.Method == http.MethodPost:
		f.start(w, r, owner)
	case len(parts) == 2 && parts[0] == "receipt" && r.Method == http.MethodGet:
		f.receipt(w, r, owner, parts[1])
	case len(parts) == 2 && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		f.page(w, r, owner, parts[0], parts[1])
	default:
		http.NotFound(w, r)
	}
}

func (f *Flow) fail(w http.ResponseWriter, err error) {
	status, _ := HTTPStatus(err)
	switch status {
	case http.StatusGone:
		http.Error(w, "This draft was saved under another version of the form and cannot be continued.", status)
	case http.StatusInternalServerError:
		f.log().Error("forms: flow", "err", err)
		http.Error(w, http.StatusText(status), status)
	default:
		http.Error(w, http.StatusText(status), status)
	}
}

func (f *Flow) start(w http.ResponseWriter, r *http.Request, owner string) {
	d := f.Def.NewDraft(owner, f.now())
	if err := f.store().CreateDraft(r.Context(), d); err != nil {
		f.fail(w, err)
		return
	}
	http.Redirect(w, r, f.Prefix+"/"+d.ID+"/"+d.Page+langQuery(r), http.StatusSeeOther)
}

func langQuery(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		p, _ := i18n.Parse(l)
		return "?lang=" + normLang(p).String()
	}
	return ""
}

func (f *Flow) draft(ctx context.Context, owner, id string) (*Draft, error) {
	d, err := f.store().GetDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Owner != owner {
		return nil, ErrNotFound
	}
	if err := f.Def.CheckDraft(d); err != nil {
		return nil, err
	}
	return d, nil
}

func write(w http.ResponseWriter, status int, render func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := b.WriteTo(w)
	return err
}

func (f *Flow) page(w http.ResponseWriter, r *http.Request, owner, draftID, pageID string) {
	d, err := f.draft(r.Context(), owner, draftID)
	if err != nil {
		f.fail(w, err)
		return
	}
	lang := f.lang(r)
	rd := f.renderer(draftID)
	if f.Hidden != nil {
		rd.Hidden = f.Hidden(r)
	}
	if pageID == "check" {
		f.check(w, r, d, lang, rd)
		return
	}
	if p, _ := f.Def.page(pageID); p == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet {
		if err := write(w, http.StatusOK, func(out io.Writer) error { return rd.RenderPage(out, f.Def, pageID, d.Data, nil, lang) }); err != nil {
			f.fail(w, err)
		}
		return
	}
	f.post(w, r, d, pageID, lang, rd)
}

// post saves a page's post into the draft (uploads too), then goes where
// the citizen asked: back to the page (Save, Add, Remove), the page with
// its errors, or the next page.
func (f *Flow) post(w http.ResponseWriter, r *http.Request, d *Draft, pageID string, lang i18n.Lang, rd *Renderer) {
	r, ok := f.limit(w, r, pageID)
	defer formbody.Cleanup(r)
	if !ok {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if err := formbody.Parse(r); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			f.fail(w, fmt.Errorf("%w: %v", ErrTooLarge, err))
			return
		}
		f.fail(w, fmt.Errorf("%w: %v", ErrBadPost, err))
		return
	}
	old, data, post, err := f.save(r, d, pageID)
	if err != nil {
		f.fail(w, err)
		return
	}
	here := f.Prefix + "/" + d.ID + "/" + pageID + langQuery(r)
	switch post.Action {
	case "save", "add", "remove":
		http.Redirect(w, r, here, http.StatusSeeOther)
		return
	}
	res := f.Def.Validate(data, Options{Lang: lang, Pages: []string{pageID}})
	if !res.Valid() {
		// Without JavaScript, a field that an answer on this page reveals
		// is first seen now: show it without an error the first time.
		res.Errors = slices.DeleteFunc(res.Errors, func(e FieldError) bool { return f.revealed(old, data, e.Component) })
		status := http.StatusUnprocessableEntity
		if len(res.Errors) == 0 {
			res, status = nil, http.StatusOK
		}
		if err := write(w, status, func(out io.Writer) error { return rd.RenderPage(out, f.Def, pageID, data, res, lang) }); err != nil {
			f.fail(w, err)
		}
		return
	}
	next := f.Def.NextPage(pageID, data)
	if next == "" {
		next = "check"
	}
	http.Redirect(w, r, f.Prefix+"/"+d.ID+"/"+next+langQuery(r), http.StatusSeeOther)
}

// save decodes a parsed page post into the draft, stores its uploads and
// the draft, and deletes the uploads it replaced. It returns the data
// before and after.
func (f *Flow) save(r *http.Request, d *Draft, pageID string) (old, data Data, post Post, err error) {
	ctx := r.Context()
	data, post, err = f.Def.DecodeForm(pageID, r.PostForm, d.Data)
	if err != nil {
		return nil, nil, post, err
	}
	var replaced []string
	if r.MultipartForm != nil {
		if replaced, err = f.uploads(ctx, d.Owner, pageID, data, r.MultipartForm); err != nil {
			return nil, nil, post, err
		}
	}
	old = d.Data
	d.Data, d.Page, d.Updated = data, pageID, f.now().UTC()
	if err := f.store().UpdateDraft(ctx, d); err != nil {
		return nil, nil, post, err
	}
	f.deleteReplaced(ctx, d.Owner, replaced)
	return old, data, post, nil
}

// revealed reports whether a component outside repeating groups was hidden
// before this post and is shown after it.
func (f *Flow) revealed(before, after Data, id string) bool {
	c := f.Def.Component(id)
	if c == nil || len(c.reps) > 0 || !c.mayHide {
		return false
	}
	was, err1 := f.Def.Hidden(id, map[string]any(before), Context{})
	is, err2 := f.Def.Hidden(id, map[string]any(after), Context{})
	return err1 == nil && err2 == nil && was && !is
}

// Limit caps the body of a post to the Flow at the page's limit (the
// form's maxBodyBytes and its file fields' sizes), ahead of next. Wrap
// middleware that reads the form before the Flow in it, the auth
// package's CSRF check above all:
//
//	mux.Handle("/soknad/", login(http.StripPrefix("/soknad", flow.Limit(m.CSRF(flow)))))
//
// Without it that middleware reads the form under a cap of its own, which
// the Flow cannot take back: the Flow then refuses every post with 500.
func (f *Flow) Limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			page := ""
			if parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/"); len(parts) == 2 {
				page = parts[1]
			}
			r = formbody.Limit(w, r, f.maxBody(page))
			defer formbody.Cleanup(r)
		}
		next.ServeHTTP(w, r)
	})
}

// limit caps a page post's body at the page's limit, unless it is capped
// already at no more. A body read before under a larger cap, or none, is
// refused (ok false): what was read cannot be measured again.
func (f *Flow) limit(w http.ResponseWriter, r *http.Request, pageID string) (_ *http.Request, ok bool) {
	n := f.maxBody(pageID)
	got, capped := formbody.Cap(r)
	if formbody.Read(r) && (!capped || got > n) {
		f.log().ErrorContext(r.Context(), "forms: flow: the post was read before the Flow without the page's limit; wrap that middleware in Flow.Limit", "page", pageID)
		return r, false
	}
	if !capped || got > n {
		r = formbody.Limit(w, r, n)
	}
	return r, true
}

// maxBody bounds a page post: the form's body limit and its file limits.
// An unknown page gets the form's body limit.
func (f *Flow) maxBody(pageID string) int64 {
	if f.Def == nil {
		return Limits{}.withDefaults().MaxBodyBytes
	}
	n := f.Def.Limits.withDefaults().MaxBodyBytes
	p, _ := f.Def.page(pageID)
	if p == nil {
		return n
	}
	var walk func([]*Component)
	walk = func(cs []*Component) {
		for _, c := range cs {
			if c.Type == TypeFile {
				n += c.maxSize(f.Def.Limits) * int64(c.maxFiles())
			}
			walk(c.Components)
		}
	}
	walk(p.Components)
	return n
}

// uploads stores the files posted for the page's file components and adds
// them to the data. The content type is sniffed from the bytes, not taken
// from the browser. It returns the ids of the stored files the new uploads
// replace (in a one-file field), to delete once the draft is saved.
func (f *Flow) uploads(ctx context.Context, owner, pageID string, data Data, mf *multipart.Form) (replaced []string, err error) {
	for name, headers := range mf.File {
		segs, err := parsePointer(name)
		if err != nil || len(segs) == 0 {
			return nil, fmt.Errorf("%w: bad file field", ErrBadPost)
		}
		c := f.Def.componentAt(segs)
		if c == nil || c.Type != TypeFile || c.page.ID != pageID {
			return nil, fmt.Errorf("%w: no file component %q on the page", ErrBadPost, name)
		}
		var files []File
		if x, ok := walk(data, segs); ok {
			if arr, ok := x.([]any); ok {
				for _, e := range arr {
					if m, ok := e.(map[string]any); ok {
						size, _, _ := number(m["size"])
						files = append(files, File{ID: str(m["id"]), Name: str(m["name"]), ContentType: str(m["contentType"]), Size: int64(size)})
					}
				}
			}
		}
		fresh := slices.ContainsFunc(headers, func(h *multipart.FileHeader) bool { return h.Size > 0 && h.Filename != "" })
		if fresh {
			// A new upload replaces a refused one, and the file of a
			// one-file field.
			files = slices.DeleteFunc(files, func(x File) bool {
				drop := x.ID == refusedFile || c.maxFiles() == 1
				if drop && x.ID != refusedFile {
					replaced = append(replaced, x.ID)
				}
				return drop
			})
		}
		for _, h := range headers {
			if h.Size == 0 || h.Filename == "" {
				continue // an empty file input
			}
			fr, err := h.Open()
			if err != nil {
				return nil, err
			}
			head := make([]byte, 512)
			n, _ := io.ReadFull(fr, head)
			ct := strings.TrimSpace(strings.Split(http.DetectContentType(head[:n]), ";")[0])
			if _, err := fr.Seek(0, io.SeekStart); err != nil {
				fr.Close()
				return nil, err
			}
			var id string
			if h.Size <= c.maxSize(f.Def.Limits) && (len(c.Accept) == 0 || slices.Contains(c.Accept, ct)) {
				id, err = f.files().Put(ctx, owner, baseName(h.Filename), ct, fr)
				if errors.Is(err, ErrFileTooLarge) {
					id, err = refusedFile, nil
				}
			} else {
				id = refusedFile // kept as a reference so that validation names the problem
			}
			fr.Close()
			if err != nil {
				return nil, err
			}
			files = append(files, File{ID: id, Name: baseName(h.Filename), ContentType: ct, Size: h.Size})
		}
		if err := f.Def.SetFiles(data, name, files); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPost, err)
		}
	}
	return replaced, nil
}

// fileIDs are the ids of the stored files data refers to: the file
// references SetFiles writes ({id, name, contentType, size}), wherever they
// are, in groups and rows too. A refused upload has no stored file.
func fileIDs(data any) []string {
	var ids []string
	var walk func(any)
	walk = func(x any) {
		switch v := x.(type) {
		case map[string]any:
			id, ok := v["id"].(string)
			_, named := v["name"]
			_, typed := v["contentType"]
			if ok && named && typed && id != refusedFile {
				ids = append(ids, id)
				return
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(data)
	return ids
}

// deleteReplaced deletes the owner's files that a saved draft or a
// submission no longer refers to, when the store can (Files). A failure
// leaves a file unreferenced, not lost: it is logged.
func (f *Flow) deleteReplaced(ctx context.Context, owner string, ids []string) {
	d, ok := f.files().(Files)
	if !ok {
		return
	}
	for _, id := range ids {
		if err := d.Delete(ctx, owner, id); err != nil && !errors.Is(err, ErrFileNotFound) {
			f.log().WarnContext(ctx, "forms: delete a replaced file", "file", id, "error", err)
		}
	}
}

// refusedFile is the id of an upload that was too large or of the wrong
// type: not stored, but kept in the data so that validation says why.
const refusedFile = "refused"

func baseName(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	return text.Truncate(text.Clean(s), 200)
}

func (f *Flow) check(w http.ResponseWriter, r *http.Request, d *Draft, lang i18n.Lang, rd *Renderer) {
	ctx := r.Context()
	res := f.Def.Validate(d.Data, Options{Lang: lang})
	if !res.Valid() {
		// Send the citizen to the first page with an error.
		http.Redirect(w, r, f.Prefix+"/"+d.ID+"/"+res.Errors[0].Page+langQuery(r), http.StatusSeeOther)
		return
	}
	if r.Method == http.MethodGet {
		if err := write(w, http.StatusOK, func(out io.Writer) error { return rd.RenderCheck(out, f.Def, res.Data, lang) }); err != nil {
			f.fail(w, err)
		}
		return
	}
	sub, res, err := f.Def.Submit(ctx, f.store(), d, lang, f.now())
	if err != nil {
		f.fail(w, err)
		return
	}
	if !res.Valid() {
		http.Redirect(w, r, f.Prefix+"/"+d.ID+"/"+res.Errors[0].Page+langQuery(r), http.StatusSeeOther)
		return
	}
	// The submission keeps only the answers that count: an upload in a
	// field that ended up hidden is not in it, and is deleted.
	kept := fileIDs(sub.Data)
	var pruned []string
	for _, id := range fileIDs(d.Data) {
		if !slices.Contains(kept, id) {
			pruned = append(pruned, id)
		}
	}
	f.deleteReplaced(ctx, d.Owner, pruned)
	if f.Submitted != nil {
		if err := f.Submitted(ctx, sub); err != nil {
			f.log().Error("forms: after submit", "submission", sub, "err", err)
		}
	}
	http.Redirect(w, r, f.Prefix+"/receipt/"+sub.ID+langQuery(r), http.StatusSeeOther)
}

func (f *Flow) receipt(w http.ResponseWriter, r *http.Request, owner, id string) {
	asJSON := strings.HasSuffix(id, ".json")
	asPDF := strings.HasSuffix(id, ".pdf") && f.PDF != nil
	id = strings.TrimSuffix(strings.TrimSuffix(id, ".json"), ".pdf")
	sub, err := f.store().GetSubmission(r.Context(), id)
	if err == nil && sub.Owner != owner {
		err = ErrNotFound
	}
	if err != nil {
		f.fail(w, err)
		return
	}
	if asJSON {
		js, err := f.Def.ReceiptJSON(sub)
		if err != nil {
			f.fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(js)
		return
	}
	rd := f.Renderer
	if asPDF {
		pdf, err := rd.ReceiptPDF(r.Context(), f.PDF, f.Def, sub, f.lang(r))
		if err != nil {
			f.fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(pdf)
		return
	}
	if err := write(w, http.StatusOK, func(out io.Writer) error { return rd.RenderReceipt(out, f.Def, sub, f.lang(r)) }); err != nil {
		f.fail(w, err)
	}
}
