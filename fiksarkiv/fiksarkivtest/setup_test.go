package fiksarkivtest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// stores are the Store implementations the Sender's tests run on.
var stores = []struct {
	name string
	open func(t *testing.T) fiksarkiv.Store
}{
	{"memory", func(*testing.T) fiksarkiv.Store { return fiksarkiv.NewMemoryStore() }},
	{"postgres", func(t *testing.T) fiksarkiv.Store { return postgres.NewFiksArkivStore(postgrestest.Open(t)) }},
}

// clock is an injected clock a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	fagsystem *fiksio.Client
	arkiv     uuid.UUID
	client    *fiksarkiv.Sender
	archive   *fiksarkivtest.Archive
	store     fiksarkiv.Store
	clock     *clock
}

// setup starts the Fiks IO fake on the real RabbitMQ with two fresh
// accounts (the fagsystem's and the archive's), the fake archive on one and
// a fiksarkiv.Client on the other.
func setup(t *testing.T, store fiksarkiv.Store, delay time.Duration) *env {
	t.Helper()
	return setupWith(t, options{store: store, delay: delay})
}

// options of setupWith.
type options struct {
	store     fiksarkiv.Store
	delay     time.Duration                       // the archive's KvitteringDelay
	wrap      func(fiksio.Handler) fiksio.Handler // around the Sender's handler
	noArchive bool                                // nobody reads the archive's queue
	ttl       time.Duration                       // the Sender's message TTL
}

// setupWith is setup with options.
func setupWith(t *testing.T, o options) *env {
	t.Helper()
	store, delay, wrap := o.store, o.delay, o.wrap
	brokerURL := testenv.AMQPURL(t)
	clk := &clock{t: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)} // a DST night, on a Sunday
	fagsystem, arkiv := fiksarkivtest.Accounts(t, brokerURL, clk.Now)
	ar := fiksarkivtest.New(fiksarkivtest.Config{FiksIO: arkiv, KvitteringDelay: delay, Now: clk.Now})
	if !o.noArchive {
		run(t, ar.Serve)
	}
	if store == nil {
		store = fiksarkiv.NewMemoryStore()
	}
	c, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: fagsystem, Arkiv: arkiv.KontoID(), Store: store, System: "grunnmur",
		Timeout: time.Hour, PollInterval: 50 * time.Millisecond, TTL: o.ttl, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	h := fiksio.Handler(c.Handle)
	if wrap != nil {
		h = wrap(h)
	}
	run(t, func(ctx context.Context) error { return fagsystem.Receive(ctx, h) })
	return &env{fagsystem: fagsystem, arkiv: arkiv.KontoID(), client: c, archive: ar, store: store, clock: clk}
}

func run(t *testing.T, f func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("receive: %v", err)
		}
	})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
