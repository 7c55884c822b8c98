package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testenv"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestNotifyStore(t *testing.T) {
	notifytest.TestStore(t, func(t *testing.T) notify.Store {
		return postgres.NewNotifyStore(postgrestest.Open(t))
	})
}

func TestNotifyRecipients(t *testing.T) {
	notifytest.TestRecipients(t, func(t *testing.T) notify.Recipients {
		return postgres.NewNotifyRecipients(postgrestest.Open(t))
	})
}

func TestNotifyChannels(t *testing.T) {
	notifytest.TestChannels(t, func(t *testing.T) notify.Channels {
		return postgres.NewNotifyChannels(postgrestest.Open(t))
	})
}

// BenchmarkNotifyOutbox measures the outbox's throughput: b.N queued e-mails
// sent by 8 workers through SMTP into Mailpit, on PostgreSQL; the baseline is
// the same on the in-memory store, so the ratio is what PostgreSQL costs.
// Needs GRUNNMUR_TEST_DATABASE_URL, GRUNNMUR_TEST_SMTP_URL and
// GRUNNMUR_TEST_MAILPIT_URL.
func BenchmarkNotifyOutbox(b *testing.B) {
	smtpURL, _ := testenv.Mailpit(b)
	cfg, err := notify.SMTPConfigFromURL(smtpURL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.From = "bench@grunnmur.test"
	p, err := notify.NewSMTP(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("PostgreSQL", func(b *testing.B) { benchOutbox(b, p, postgres.NewNotifyStore(postgrestest.Open(b))) })
	b.Run("Memory", func(b *testing.B) { benchOutbox(b, p, &notify.MemStore{}) })
}

func benchOutbox(b *testing.B, p notify.EmailProvider, store notify.Store) {
	ctx := context.Background()
	s, err := notify.New(notify.Config{Email: p, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	run := fmt.Sprint(now.UnixNano())
	for i := range b.N {
		r := &notify.Record{Key: fmt.Sprintf("bench/%s/%d", run, i), Channel: notify.Email, To: notify.NewAddress("kari@example.no"),
			Subject: "Påminnelse", Text: "Du har booket salen i morgen kl. 18.00.", Status: notify.Queued, NotBefore: now, Created: now, Updated: now}
		if err := store.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				n, err := s.SendDue(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sends/s")
}
