package site

import (
	"reflect"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
)

func TestAnswers(t *testing.T) {
	sections := []forms.SummarySection{{Title: "Bevilling", Rows: []forms.SummaryRow{
		{Label: "Type", Value: "Alminnelig"},
		{Label: "Skjenketid", Children: [][]forms.SummaryRow{
			{{Label: "Dag", Value: "fredag"}},
			{{Label: "Dag", Value: "lørdag"}, {Label: "Grupper", Lines: []string{"1", "2"}}},
		}},
	}}}
	got := Answers(sections)
	want := []Block{Subheading("Bevilling"), Table([2]string{"Type", "Alminnelig"}, [2]string{"Skjenketid 1: Dag", "fredag"},
		[2]string{"Skjenketid 2: Dag", "lørdag"}, [2]string{"Skjenketid 2: Grupper", "1; 2"})}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Answers = %+v\nwant %+v", got, want)
	}
	if _, err := (Letter{Title: "Søknad", Date: time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC), Blocks: got}).PDF(); err != nil {
		t.Fatal(err)
	}
}
