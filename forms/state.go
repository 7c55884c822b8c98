package forms

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

// state is one evaluation of a definition against data: the language, the
// clock's zone and a memo of which components are hidden.
type state struct {
	def   *Definition
	data  any
	lng   i18n.Lang
	loc   *time.Location
	memo  map[hidKey]bool
	busy  map[hidKey]bool // hidden expressions being evaluated: a cycle if met again
	depth int
	// ctxs holds the evaluation contexts in use, so that evaluating does
	// not allocate one per expression; nested evaluations (a component's
	// hidden expression looked up from another) take the next slot.
	ctxs [8]evalCtx
	nctx int
}

// evalCtx is where an expression of the form is evaluated: the component
// it belongs to and the repeating-group rows it is in. It is the
// expression's Env.
type evalCtx struct {
	st   *state
	comp *Component // may be nil
	rows []int      // row index per repeating ancestor (and comp itself if it is a row)
	cx   expr.Context
}

func (st *state) context(ec *evalCtx, comp *Component, rows []int, argv []expr.Value) *expr.Context {
	*ec = evalCtx{st: st, comp: comp, rows: rows}
	ec.cx = expr.Context{Env: ec, Argv: argv, Lang: st.lng, Location: st.loc}
	return &ec.cx
}

// evalBool evaluates e as a boolean in the context of comp at rows.
func (st *state) evalBool(e *expr.Expr, comp *Component, rows []int, argv []expr.Value) (bool, error) {
	if st.nctx >= len(st.ctxs) {
		return e.EvalBool(st.context(&evalCtx{}, comp, rows, argv))
	}
	ec := &st.ctxs[st.nctx]
	st.nctx++
	b, err := e.EvalBool(st.context(ec, comp, rows, argv))
	st.nctx--
	*ec = evalCtx{}
	return b, err
}

type hidKey struct {
	c    *Component
	page int
	n    uint8
	r    [maxNesting + 1]int
}

func newState(def *Definition, data any, lang i18n.Lang, loc *time.Location) *state {
	if loc == nil {
		loc = civil.Oslo
	}
	return &state{def: def, data: data, lng: lang, loc: loc, memo: map[hidKey]bool{}, busy: map[hidKey]bool{}}
}

// maxHiddenDepth bounds the chain of hidden expressions that refer to other
// components, which catches cycles (A hidden when B is, B when A is).
const maxHiddenDepth = 64

func key(c *Component, page int, rows []int) hidKey {
	k := hidKey{c: c, page: page, n: uint8(len(rows))}
	copy(k.r[:], rows)
	return k
}

func (st *state) pageHidden(p *Page) (bool, error) {
	if p == nil || p.Hidden == nil {
		return false, nil
	}
	k := key(nil, p.index, nil)
	if h, ok := st.memo[k]; ok {
		return h, nil
	}
	if st.depth > maxHiddenDepth || st.busy[k] {
		return false, &expr.Error{Msg: "hidden expressions refer to each other in a cycle (page " + strconv.Quote(p.ID) + ")"}
	}
	st.depth++
	st.busy[k] = true
	h, err := st.evalBool(p.Hidden, nil, nil, nil)
	st.depth--
	delete(st.busy, k)
	if err != nil {
		return false, fmt.Errorf("page %q hidden: %w", p.ID, err)
	}
	if st.memo != nil {
		st.memo[k] = h
	}
	return h, nil
}

// isHidden reports whether c is hidden at rows: its page, a group it is in,
// its row or the component itself.
func (st *state) isHidden(c *Component, rows []int) (bool, error) {
	if !c.mayHide {
		return false, nil
	}
	if len(rows) > len(c.reps) {
		rows = rows[:len(c.reps)]
	}
	k := key(c, 0, rows)
	if h, ok := st.memo[k]; ok {
		return h, nil
	}
	if st.depth > maxHiddenDepth || st.busy[k] {
		return false, &expr.Error{Msg: "hidden expressions refer to each other in a cycle (" + strconv.Quote(c.ID) + ")"}
	}
	st.depth++
	st.busy[k] = true
	defer func() { st.depth--; delete(st.busy, k) }()
	var h bool
	var err error
	if p := c.parent; p != nil {
		h, err = st.isHidden(p, rows)
		if err == nil && !h && p.Type == TypeRepeating && p.RowHidden != nil {
			h, err = st.evalBool(p.RowHidden, p, rows, nil)
			if err != nil {
				err = fmt.Errorf("%q rowHidden: %w", p.ID, err)
			}
		}
	} else {
		h, err = st.pageHidden(c.page)
	}
	if err == nil && !h && c.Hidden != nil {
		h, err = st.evalBool(c.Hidden, c, rows, nil)
		if err != nil {
			err = fmt.Errorf("%q hidden: %w", c.ID, err)
		}
	}
	if err != nil {
		return false, err
	}
	if st.memo != nil {
		st.memo[k] = h
	}
	return h, nil
}

// chain is the repeating groups whose rows ec knows.
func (ec *evalCtx) chain() []*Component {
	ch := ctxReps(ec.comp)
	if len(ch) > len(ec.rows) {
		ch = ch[:len(ec.rows)]
	}
	return ch
}

// Component implements expr.Env.
func (ec *evalCtx) Component(id string) (expr.Value, error) {
	st := ec.st
	t := st.def.byID[id]
	ch := ec.chain()
	if t == nil || len(t.reps) > len(ch) {
		return expr.Null, &expr.Error{Msg: "component: unable to find component with identifier " + strconv.Quote(id)}
	}
	for i, r := range t.reps {
		if ch[i].abs != r.abs {
			return expr.Null, &expr.Error{Msg: "component: unable to find component with identifier " + strconv.Quote(id)}
		}
	}
	rows := ec.rows[:len(t.reps)]
	h, err := st.isHidden(t, rows)
	if err != nil || h {
		return expr.Null, err
	}
	if !t.Type.bound() || t.Type == TypeRepeating {
		return expr.Null, nil
	}
	x, _ := st.lookup(t, rows)
	if arr, ok := x.([]any); ok && t.Type == TypeCheckboxes {
		// As Altinn's checkboxes: a comma-separated string, for commaContains.
		parts := make([]string, 0, len(arr))
		for _, a := range arr {
			if s, ok := a.(string); ok {
				parts = append(parts, s)
			}
		}
		return expr.String(strings.Join(parts, ",")), nil
	}
	return expr.ValueOf(x), nil
}

// lookup finds a component's data at rows.
func (st *state) lookup(c *Component, rows []int) (any, bool) {
	cur := st.data
	if c.BindRoot {
		return walk(cur, c.segs)
	}
	for i, r := range c.reps {
		if i >= len(rows) {
			return nil, false
		}
		var ok bool
		if cur, ok = walk(cur, r.segs); !ok {
			return nil, false
		}
		arr, ok := cur.([]any)
		if !ok || rows[i] < 0 || rows[i] >= len(arr) {
			return nil, false
		}
		cur = arr[rows[i]]
	}
	return walk(cur, c.segs)
}

func walk(cur any, segs []string) (any, bool) {
	for _, s := range segs {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || !isIndex(s) || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// DataModel implements expr.Env.
func (ec *evalCtx) DataModel(p string) (expr.Value, error) {
	segs, err := parsePath(p)
	if err != nil {
		return expr.Null, &expr.Error{Msg: "dataModel: " + err.Error()}
	}
	if ch := ec.chain(); len(ch) > 0 {
		var ctx []string
		for i, r := range ch {
			ctx = append(ctx, r.segs...)
			ctx = append(ctx, strconv.Itoa(ec.rows[i]))
		}
		segs = transpose(segs, ctx)
	}
	x, _ := walk(ec.st.data, segs)
	return expr.ValueOf(x), nil
}

// transpose fills the row indices a path leaves out from the context's row
// path, as Altinn does: in row 1 of Mennesker, Mennesker.Navn means
// Mennesker[1].Navn. An explicit index stops the filling.
func transpose(path, ctx []string) []string {
	out := make([]string, 0, len(path)+len(ctx))
	j := 0
	for i := 0; i < len(ctx) && j < len(path); i++ {
		if isIndex(ctx[i]) {
			if isIndex(path[j]) {
				break // an explicit index ends the filling, even where it matches
			} else {
				out = append(out, ctx[i])
			}
			continue
		}
		if path[j] != ctx[i] {
			break
		}
		out = append(out, path[j])
		j++
	}
	return append(out, path[j:]...)
}

// Context says where an expression is evaluated: the component it belongs to
// (by id, empty for page level) and the row index in each repeating group
// around it, outermost first.
type Context struct {
	Component string
	Rows      []int
	Lang      i18n.Lang      // nb (default), nn or en; i18n.Lang("se") writes formatDate in Northern Sami
	Location  *time.Location // default Europe/Oslo
	Argv      []expr.Value   // what ["argv", i] returns
}

// Eval evaluates an expression against data in the definition's context.
// Data is decoded JSON (map[string]any, []any, string, float64 or
// json.Number, bool, nil).
func (def *Definition) Eval(e *expr.Expr, data any, c Context) (expr.Value, error) {
	var comp *Component
	if c.Component != "" {
		if comp = def.byID[c.Component]; comp == nil {
			return expr.Null, &expr.Error{Msg: "unknown context component " + strconv.Quote(c.Component)}
		}
	}
	rows := c.Rows
	if ch := ctxReps(comp); len(rows) > len(ch) {
		rows = rows[:len(ch)]
	}
	st := newState(def, data, c.Lang, c.Location)
	return e.Eval(st.context(&evalCtx{}, comp, rows, c.Argv))
}

// Hidden reports whether a component is hidden for data at the given rows.
func (def *Definition) Hidden(id string, data any, c Context) (bool, error) {
	comp := def.byID[id]
	if comp == nil {
		return false, fmt.Errorf("forms: unknown component %q", id)
	}
	st := newState(def, data, c.Lang, c.Location)
	return st.isHidden(comp, c.Rows)
}

// EvalJSON is Eval for an expression and data given as JSON; for tools.
func (def *Definition) EvalJSON(expression, data []byte, c Context) (expr.Value, error) {
	e, err := expr.Parse(expression)
	if err != nil {
		return expr.Null, err
	}
	var d any
	if len(data) > 0 {
		if d, err = decodeJSON(data); err != nil {
			return expr.Null, err
		}
	}
	return def.Eval(e, d, c)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
