package forms

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/i18n"
)

// FormSubmitted is the domain event of a submission (see package events):
// its subject is the submission's ID, and it carries the form and the
// owner key, never the answers. Definition.Submit builds it and the Store
// records it with the submission, atomically: a refused submit (a draft
// submitted already) records none.
var FormSubmitted = events.Define[SubmittedData]("no.grunnmur.forms.submission.submitted.v1")

// SubmittedData is the payload of FormSubmitted.
type SubmittedData struct {
	Submission  string    `json:"submission"`
	Form        string    `json:"form"` // the Definition's ID
	FormVersion int       `json:"formVersion"`
	Owner       string    `json:"owner"` // the owner key (see OwnerKeys), never a personal number
	Draft       string    `json:"draft,omitempty"`
	Lang        i18n.Lang `json:"lang"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// submittedEvent is the FormSubmitted event of s.
func submittedEvent(s *Submission) (events.Event, error) {
	e, err := FormSubmitted.New(s.ID, s.SubmittedAt, SubmittedData{Submission: s.ID, Form: s.FormID, FormVersion: s.FormVersion,
		Owner: s.Owner, Draft: s.DraftID, Lang: s.Lang, SubmittedAt: s.SubmittedAt})
	if err != nil {
		return events.Event{}, fmt.Errorf("forms: %w", err)
	}
	return e, nil
}
