package forms

import "slices"

// ContextNode is one place where expressions are evaluated: a page, or a
// component at its rows. A repeating group's children come once per row.
// The JSON form is the one Altinn's shared tests use.
type ContextNode struct {
	Component string        `json:"component"`
	Page      string        `json:"currentLayout"`
	Rows      []int         `json:"rowIndices,omitempty"`
	Children  []ContextNode `json:"children,omitempty"`
}

// Contexts lists where the definition's expressions are evaluated for data:
// every page, every component, and the components of every row. Tools use
// it to show which hidden/required expression runs where.
func (def *Definition) Contexts(data any) []ContextNode {
	st := newState(def, data, "nb", nil)
	var comps func(p *Page, cs []*Component, rows []int) []ContextNode
	comps = func(p *Page, cs []*Component, rows []int) []ContextNode {
		var out []ContextNode
		for _, c := range cs {
			n := ContextNode{Component: c.ID, Page: p.ID, Rows: rows}
			switch c.Type {
			case TypeGroup:
				n.Children = comps(p, c.Components, rows)
			case TypeRepeating:
				x, _ := st.lookup(c, rows)
				arr, _ := x.([]any)
				for i := range arr {
					n.Children = append(n.Children, comps(p, c.Components, append(slices.Clip(rows), i))...)
				}
			}
			out = append(out, n)
		}
		return out
	}
	var out []ContextNode
	for _, p := range def.Pages {
		out = append(out, ContextNode{Component: p.ID, Page: p.ID, Children: comps(p, p.Components, nil)})
	}
	return out
}
