package site

import (
	"context"
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/svarut"
)

// CaseLetter is a letter about a case, sent through SvarUT by SendLetter.
type CaseLetter struct {
	// ID names the letter: its outbox entry and its journal entry. Derive
	// it from the case ("vedtak-"+case ID): the same ID again sends,
	// journals and links nothing twice.
	ID       string
	Shipment *svarut.Shipment
	// Title is the outgoing journal entry's title and, in the journal, each
	// document's; default the shipment's title.
	Title string
}

// SendLetter puts l in the outbox (ServiceConfig.Letters), journals it on
// the case as an outgoing entry to the recipient, with the shipment's
// documents by their Refs (so that an archive extract prints them again),
// and links it to the case (sak.LinkLetter); each exactly once, so that it
// may run again after a failure. The outbox then starts sending at once,
// in the background; RunJobs tries again if that fails.
func (s *Service) SendLetter(ctx context.Context, actor sak.Actor, caseID string, l CaseLetter) (*svarut.Entry, error) {
	if s.Letters == nil || s.Cases == nil || l.ID == "" || l.Shipment == nil {
		return nil, fmt.Errorf("%w: SendLetter needs Letters, Cases, an ID and a Shipment", ErrConfig)
	}
	title := l.Title
	if title == "" {
		title = l.Shipment.Title
	}
	e, err := s.Letters.Enqueue(ctx, l.ID, l.Shipment)
	if errors.Is(err, svarut.ErrConflict) { // sent before
		e, err = s.Letters.Store.Get(ctx, l.ID)
	}
	if err != nil {
		return nil, err
	}
	var docs []sak.Document
	for _, d := range l.Shipment.Documents {
		docs = append(docs, sak.Document{Title: title, FileName: d.Name, MediaType: d.MimeType, Ref: d.Ref})
	}
	entry := sak.JournalEntry{ID: l.ID, Type: sak.Outgoing, Title: title, Party: l.Shipment.Recipient.Address.Name,
		Date: s.Config.Now(), Documents: docs}
	if _, err := s.Cases.Journal(ctx, actor, caseID, entry); err != nil {
		return nil, err
	}
	if _, err := s.Cases.Link(ctx, actor, caseID, sak.Link{Kind: sak.LinkLetter, Ref: e.ID, Label: l.Shipment.Title, Status: string(e.State)}); err != nil {
		return nil, err
	}
	go func() {
		if err := s.Letters.RunOnce(context.WithoutCancel(ctx)); err != nil {
			s.Config.Logger.Warn("svarut outbox", "error", err)
		}
	}()
	return e, nil
}
