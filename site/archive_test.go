package site_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// archiveService builds a service with cases journaled into the archive,
// with GRUNNMUR_DEV_AMQP_URL set to amqp (none when empty).
func archiveService(t *testing.T, amqp string) *site.Service {
	t.Helper()
	var svc *site.Service
	sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		svc, err = site.New(context.Background(), site.ServiceConfig{
			Config: site.Config{PublicURL: public, Now: fixed(), Getenv: func(k string) string {
				if k == "GRUNNMUR_DEV_AMQP_URL" {
					return amqp
				}
				return ""
			}},
			Sandbox: devenv.Sandbox, Messages: texts, Pages: pages, Cases: &sak.Service{},
			Archive: func() sak.ArchiveOptions {
				return sak.ArchiveOptions{Open: func(context.Context, *sak.Case, *sak.JournalEntry, sak.Document) (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader([]byte("%PDF-1.7 søknad"))), nil
				}}
			}})
		if err != nil {
			return nil, nil, err
		}
		return svc.Handler(), svc.Close, nil
	})
	return svc
}

// TestServiceJournalsIntoArchive: with a broker the sandbox runs the fake
// archive, and RunJobs journals a case's entry into it: the case gets the
// archive's numbers, which ArchiveView shows.
func TestServiceJournalsIntoArchive(t *testing.T) {
	svc := archiveService(t, testenv.AMQPURL(t))
	if svc.Archiver == nil {
		t.Fatalf("journaling is off: %s", svc.ArchiveOff)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.RunJobs(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	c, err := svc.Cases.Open(ctx, sak.Application{Kind: "proeve", Title: "Søknad 🍷", Owner: "sub-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Cases.Journal(ctx, sak.Actor{Role: sak.RoleSystem, ID: "t"}, c.ID, sak.JournalEntry{Type: sak.Incoming,
		Title: "Søknad", Documents: []sak.Document{{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "s"}}}); err != nil {
		t.Fatal(err)
	}
	if v := svc.Archive(c, i18n.NB); !v.Waiting || v.Off != "" {
		t.Errorf("before the archive answers: %+v", v)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err = svc.Cases.Get(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "o"}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.ArchiveEntryNumber(c.Journal[0]) != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never journaled: %+v %+v", c.Archive, c.Journal[0].Archive)
		}
		time.Sleep(100 * time.Millisecond)
	}
	v := svc.Archive(c, i18n.NB)
	jps := svc.Fakes.Sandbox.(*devenv.Env).Archive.Journalposter()
	if len(jps) != 1 || v.Number == "" || v.Waiting || v.Entries[c.EntryNumber(c.Journal[0])] != v.Number+"-1" {
		t.Errorf("view %+v; the archive holds %d journalposter", v, len(jps))
	}
}

// TestServiceArchiveOffWithoutBroker: without a broker the service starts,
// with journaling off and the reason on the officer's view.
func TestServiceArchiveOffWithoutBroker(t *testing.T) {
	svc := archiveService(t, "")
	if svc.Archiver != nil || !strings.Contains(svc.ArchiveOff, "GRUNNMUR_DEV_AMQP_URL") {
		t.Fatalf("archiver %v, off %q", svc.Archiver, svc.ArchiveOff)
	}
	if v := svc.Archive(&sak.Case{}, i18n.NB); v.Off == "" || v.Waiting {
		t.Errorf("view %+v", v)
	}
}
