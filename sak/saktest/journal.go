package saktest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// testJournalNumbers races goroutines journaling entries on a few cases
// through a Service: every entry gets a journal number (journalår/
// journalsekvensnummer) no other entry has, the year's numbers run 1..n
// without a gap, and each case numbers its own entries 1..k.
func testJournalNumbers(t *testing.T, s sak.Store) {
	ctx := context.Background()
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := &sak.Service{Store: s, Now: func() time.Time { return at }}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	const cases, perCase = 4, 6
	var ids []string
	for i := range cases {
		c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: fmt.Sprintf("sub-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		for j := range perCase {
			wg.Go(func() {
				if _, err := svc.Journal(ctx, officer, id, sak.JournalEntry{Type: sak.Outgoing, Title: fmt.Sprintf("Brev %d", j)}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	seen := map[string]string{}
	for _, id := range ids {
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Journal) != perCase {
			t.Fatalf("case %s has %d entries, want %d", c.Number(), len(c.Journal), perCase)
		}
		for k, e := range c.Journal {
			if e.Number != k+1 || e.Year != 2027 {
				t.Errorf("case %s entry %d: journalpostnummer %d, journalår %d", c.Number(), k, e.Number, e.Year)
			}
			if other, dup := seen[e.JournalNumber()]; dup {
				t.Errorf("journal number %s given twice: %s and %s", e.JournalNumber(), other, c.EntryNumber(e))
			}
			seen[e.JournalNumber()] = c.EntryNumber(e)
		}
	}
	for n := 1; n <= cases*perCase; n++ {
		if _, ok := seen[fmt.Sprintf("2027/%d", n)]; !ok {
			t.Errorf("journal number 2027/%d never given: the numbers %v have a gap", n, seen)
		}
	}
}
