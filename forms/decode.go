package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/internal/text"
)

// ErrBadPost is wrapped by DecodeForm errors.
var ErrBadPost = errors.New("forms: bad form post")

// Post is what the citizen pressed on a page.
type Post struct {
	Action string // "continue", "save", "add", "remove" or "submit"
	Target string // the repeating group (add) or row (remove), as a JSON Pointer
}

// DecodeForm merges the values posted from one page (application/
// x-www-form-urlencoded or multipart fields) into a copy of data and says
// which button was pressed. Fields are named by JSON Pointer; date parts by
// POINTER~day, ~month and ~year; a repeating group's row count by
// POINTER~rows. Read-only components keep their stored value, whatever is
// posted. Files are not in the form values: the caller stores uploads and
// sets the file references with SetFiles.
//
// Bound the body before parsing it (http.MaxBytesReader with
// Limits.MaxBodyBytes); DecodeForm bounds rows and text lengths itself.
func (def *Definition) DecodeForm(pageID string, form url.Values, data Data) (Data, Post, error) {
	p, _ := def.page(pageID)
	if p == nil {
		return nil, Post{}, fmt.Errorf("%w: no page %q", ErrBadPost, pageID)
	}
	form = cleanForm(form)
	out := deepCopy(data)
	if out == nil {
		out = Data{}
	}
	d := &decoder{def: def, form: form, st: newState(def, data, "nb", nil), root: out}
	d.comps(p.Components, out, nil, nil)
	post := Post{Action: form.Get("_action")}
	switch {
	case form.Get("_add") != "":
		post = Post{Action: "add", Target: form.Get("_add")}
		if err := d.addRow(p, out, post.Target); err != nil {
			return nil, Post{}, err
		}
	case form.Get("_remove") != "":
		post = Post{Action: "remove", Target: form.Get("_remove")}
		if err := d.removeRow(p, out, post.Target); err != nil {
			return nil, Post{}, err
		}
	case post.Action == "":
		post.Action = "continue"
	}
	switch post.Action {
	case "continue", "save", "add", "remove", "submit":
	default:
		return nil, Post{}, fmt.Errorf("%w: unknown action", ErrBadPost)
	}
	return out, post, nil
}

type decoder struct {
	root Data
	def  *Definition
	form url.Values
	st   *state
}

func (d *decoder) text(name string) (string, bool) {
	vs, ok := d.form[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	// Validation reports the length; this bounds memory.
	return text.Truncate(vs[0], 4*d.def.Limits.MaxTextChars), true
}

// cleanForm makes every posted name and value valid text (text.Clean) before
// anything reads it, so drafts, submissions, letters and extracts never see
// bytes that are not UTF-8, or a NUL (%00), whatever a browser or a script
// posts. The stores refuse such text rather than guess (ErrInvalidText); this
// is the one place where guessing is right, since it is what the citizen
// typed.
func cleanForm(form url.Values) url.Values {
	clean := true
	for k, vs := range form {
		clean = clean && text.Valid(k) && !slices.ContainsFunc(vs, func(v string) bool { return !text.Valid(v) })
	}
	if clean {
		return form
	}
	out := make(url.Values, len(form))
	for k, vs := range form {
		k = text.Clean(k)
		for _, v := range vs {
			out[k] = append(out[k], text.Clean(v))
		}
	}
	return out
}

func unset(scope map[string]any, segs []string) {
	for _, s := range segs[:len(segs)-1] {
		next, ok := scope[s].(map[string]any)
		if !ok {
			return
		}
		scope = next
	}
	delete(scope, segs[len(segs)-1])
}

func (d *decoder) comps(cs []*Component, scope map[string]any, rows []int, ptr []string) {
	for _, c := range cs {
		scope, ptr := scope, ptr
		if c.BindRoot {
			scope, ptr = d.root, nil
		}
		fp := concat(ptr, c.segs)
		name := pointer(fp)
		if c.ReadOnly != nil {
			if ro, err := d.st.evalBool(c.ReadOnly, c, rows, nil); err == nil && ro {
				continue
			}
		}
		switch c.Type {
		case TypeInfo, TypeFile:
		case TypeGroup:
			d.comps(c.Components, scope, rows, ptr)
		case TypeRepeating:
			d.repeating(c, scope, rows, fp)
		case TypeCheckboxes:
			d.checkboxes(c, scope, name)
		case TypeDate:
			d.date(c, scope, name)
		case TypeAddress:
			d.address(c, scope, name)
		default:
			s, ok := d.text(name)
			if !ok || strings.TrimSpace(s) == "" {
				unset(scope, c.segs)
				continue
			}
			set(scope, c.segs, s)
		}
	}
}

// repeating reads the rows of a repeating group; fp is its pointer. A
// group the page did not show (hidden) posts no row count and is left as
// it was.
func (d *decoder) repeating(c *Component, scope map[string]any, rows []int, fp []string) {
	n, err := strconv.Atoi(d.form.Get(pointer(fp) + "~rows"))
	if err != nil {
		return
	}
	n = max(0, min(n, d.def.Limits.MaxRows))
	old, _ := walk(scope, c.segs)
	oldRows, _ := old.([]any)
	rowsOut := make([]any, n)
	for i := range n {
		row := map[string]any{}
		if i < len(oldRows) {
			if m, ok := oldRows[i].(map[string]any); ok {
				row = m
			}
		}
		d.comps(c.Components, row, append(slices.Clip(rows), i), concat(fp, nil, strconv.Itoa(i)))
		rowsOut[i] = row
	}
	set(scope, c.segs, rowsOut)
}

func (d *decoder) checkboxes(c *Component, scope map[string]any, name string) {
	vs := d.form[name]
	if len(vs) == 0 {
		unset(scope, c.segs)
		return
	}
	if len(vs) > len(c.Options) {
		vs = vs[:len(c.Options)+1] // validation reports it
	}
	arr := make([]any, len(vs))
	for i, v := range vs {
		arr[i] = v
	}
	set(scope, c.segs, arr)
}

// date joins the day, month and year fields into YYYY-MM-DD.
func (d *decoder) date(c *Component, scope map[string]any, name string) {
	day, _ := d.text(name + "~day")
	month, _ := d.text(name + "~month")
	year, _ := d.text(name + "~year")
	day, month, year = strings.TrimSpace(day), strings.TrimSpace(month), strings.TrimSpace(year)
	if day == "" && month == "" && year == "" {
		unset(scope, c.segs)
		return
	}
	pad := func(s string) string {
		if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
			return "0" + s
		}
		return s
	}
	set(scope, c.segs, year+"-"+pad(month)+"-"+pad(day))
}

func (d *decoder) address(c *Component, scope map[string]any, name string) {
	m := map[string]any{}
	for _, part := range []string{AddressLine, AddressPostnummer, AddressPoststed} {
		if s, ok := d.text(name + "/" + part); ok && strings.TrimSpace(s) != "" {
			m[part] = s
		}
	}
	if len(m) == 0 {
		unset(scope, c.segs)
	} else {
		set(scope, c.segs, m)
	}
}

// findRepeating finds the repeating group on page p whose rows live at the
// pointer target (with row indices), and the scope holding its array.
func (d *decoder) findRepeating(p *Page, data Data, target string) (*Component, map[string]any, error) {
	segs, err := parsePointer(target)
	if err != nil || len(segs) == 0 {
		return nil, nil, fmt.Errorf("%w: bad target", ErrBadPost)
	}
	var found *Component
	var scope map[string]any
	var search func(cs []*Component, sc map[string]any, rest []string)
	search = func(cs []*Component, sc map[string]any, rest []string) {
		for _, c := range cs {
			if found != nil {
				return
			}
			switch c.Type {
			case TypeGroup:
				search(c.Components, sc, rest)
			case TypeRepeating:
				if len(rest) < len(c.segs) || !slices.Equal(rest[:len(c.segs)], c.segs) {
					continue
				}
				tail := rest[len(c.segs):]
				if len(tail) == 0 {
					found, scope = c, sc
					return
				}
				x, _ := walk(sc, c.segs)
				arr, _ := x.([]any)
				i, err := strconv.Atoi(tail[0])
				if err != nil || !isIndex(tail[0]) || i >= len(arr) {
					continue
				}
				if row, ok := arr[i].(map[string]any); ok {
					search(c.Components, row, tail[1:])
				}
			}
		}
	}
	search(p.Components, data, segs)
	if found == nil {
		return nil, nil, fmt.Errorf("%w: no repeating group at the target", ErrBadPost)
	}
	return found, scope, nil
}

func (d *decoder) addRow(p *Page, data Data, target string) error {
	c, scope, err := d.findRepeating(p, data, target)
	if err != nil {
		return err
	}
	x, _ := walk(scope, c.segs)
	arr, _ := x.([]any)
	max := c.MaxRows
	if max == 0 || max > d.def.Limits.MaxRows {
		max = d.def.Limits.MaxRows
	}
	if len(arr) < max {
		set(scope, c.segs, append(arr, map[string]any{}))
	}
	return nil
}

func (d *decoder) removeRow(p *Page, data Data, target string) error {
	i := strings.LastIndexByte(target, '/')
	if i <= 0 {
		return fmt.Errorf("%w: bad target", ErrBadPost)
	}
	row, err := strconv.Atoi(target[i+1:])
	if err != nil || !isIndex(target[i+1:]) {
		return fmt.Errorf("%w: bad target", ErrBadPost)
	}
	c, scope, err := d.findRepeating(p, data, target[:i])
	if err != nil {
		return err
	}
	x, _ := walk(scope, c.segs)
	arr, _ := x.([]any)
	if row < len(arr) {
		set(scope, c.segs, slices.Delete(slices.Clone(arr), row, row+1))
	}
	return nil
}

// SetFiles sets the files of a file component at a pointer (row indices
// included), for the caller that stored the uploads.
func (def *Definition) SetFiles(data Data, ptr string, files []File) error {
	segs, err := parsePointer(ptr)
	if err != nil || len(segs) == 0 {
		return fmt.Errorf("forms: bad pointer %q", ptr)
	}
	if c := def.componentAt(segs); c == nil || c.Type != TypeFile {
		return fmt.Errorf("forms: no file component at %q", ptr)
	}
	arr := make([]any, len(files))
	for i, f := range files {
		arr[i] = map[string]any{"id": f.ID, "name": f.Name, "contentType": f.ContentType, "size": json.Number(strconv.FormatInt(f.Size, 10))}
	}
	return setAt(data, segs, arr)
}

// setAt stores v at segs under root, making objects on the way; array rows
// must exist.
func setAt(root any, segs []string, v any) error {
	cur := root
	for j, s := range segs {
		last := j == len(segs)-1
		switch x := cur.(type) {
		case map[string]any:
			if last {
				x[s] = v
				return nil
			}
			next, ok := x[s]
			if !ok || next == nil {
				next = map[string]any{}
				x[s] = next
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || !isIndex(s) || i >= len(x) || last {
				return fmt.Errorf("forms: no row %q", s)
			}
			cur = x[i]
		default:
			return fmt.Errorf("forms: cannot set %q in a %T", s, cur)
		}
	}
	return nil
}

// deepCopy copies decoded JSON.
func deepCopy[T any](x T) T {
	var f func(any) any
	f = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, v := range x {
				m[k] = f(v)
			}
			return m
		case []any:
			a := make([]any, len(x))
			for i, v := range x {
				a[i] = f(v)
			}
			return a
		}
		return x
	}
	y, _ := f(any(x)).(T)
	return y
}
