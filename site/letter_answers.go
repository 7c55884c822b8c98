package site

import (
	"fmt"

	"github.com/grunnmur/grunnmur/forms"
)

// Answers are a form's answers (forms.Definition.Summary) as a letter's
// blocks: each section a subheading and a table of label and answer, an
// entry of a repeating group numbered after the group's label ("Skjenketid
// 2: Dag").
func Answers(sections []forms.SummarySection) []Block {
	var out []Block
	for _, s := range sections {
		out = append(out, Subheading(s.Title), Table(answerRows(s.Rows, "")...))
	}
	return out
}

func answerRows(rows []forms.SummaryRow, prefix string) [][2]string {
	var out [][2]string
	for _, r := range rows {
		if len(r.Children) == 0 {
			out = append(out, [2]string{prefix + r.Label, r.Text("; ")})
		}
		for i, entry := range r.Children {
			out = append(out, answerRows(entry, fmt.Sprintf("%s%s %d: ", prefix, r.Label, i+1))...)
		}
	}
	return out
}
