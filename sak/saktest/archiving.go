package saktest

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/sak"
)

// ArchiveStores are what an Archiver keeps across a restart: the cases,
// the queue and the exchanges with the archive.
type ArchiveStores struct {
	Cases     sak.Store
	Queue     sak.ArchiveQueue
	Exchanges fiksarkiv.Store
}

// Clock is a clock a test moves by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// ArchiveEnv is a fagsystem journaling into the fake archive
// (fiksarkivtest) over the Fiks IO fake on a real RabbitMQ, each test with
// accounts (and so queues) of its own.
type ArchiveEnv struct {
	T       *testing.T
	Archive *fiksarkivtest.Archive
	Clock   *Clock
	Stores  ArchiveStores
	Docs    map[string][]byte // the documents' bytes by Ref
	// Fagsystem is the fagsystem's Fiks IO account; Arkiv the archive's.
	Fagsystem *fiksio.Client
	Arkiv     uuid.UUID
	// Mapper is what New gives each Archiver.
	Mapper fiksarkiv.Mapper
}

// NewArchiveEnv starts the Fiks IO fake on GRUNNMUR_TEST_AMQP_URL (the
// test skips without it) with two fresh accounts, and the fake archive on
// one, answering after delay.
func NewArchiveEnv(t *testing.T, stores ArchiveStores, delay time.Duration) *ArchiveEnv {
	t.Helper()
	brokerURL := testenv.AMQPURL(t)
	clk := &Clock{t: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)} // a DST night, on a Sunday
	fagsystem, arkiv := fiksarkivtest.Accounts(t, brokerURL, clk.Now)
	ar := fiksarkivtest.New(fiksarkivtest.Config{FiksIO: arkiv, KvitteringDelay: delay, Now: clk.Now})
	Go(t, ar.Serve)
	return &ArchiveEnv{T: t, Archive: ar, Clock: clk, Stores: stores, Docs: map[string][]byte{}, Fagsystem: fagsystem,
		Arkiv: arkiv.KontoID(), Mapper: fiksarkiv.Mapper{System: "grunnmur saktest", Fagsystem: "grunnmur"}}
}

// Go runs f until the test ends, and fails the test if f fails.
func Go(t *testing.T, f func(ctx context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("stopped with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// Process is one run of the fagsystem: a fiksarkiv.Sender on the stores,
// its Fiks IO receiver, a Service and an Archiver.
type Process struct {
	Client   *fiksarkiv.Sender
	Service  *sak.Service
	Archiver *sak.Archiver
	env      *ArchiveEnv
	stop     func()
}

// Start starts a process; receive false starts it without its receiver.
func (e *ArchiveEnv) Start(receive bool) *Process {
	t := e.T
	c, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: Linted(t, e.Fagsystem), Arkiv: e.Arkiv, Store: e.Stores.Exchanges,
		System: "grunnmur", Timeout: time.Hour, PollInterval: 50 * time.Millisecond, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	svc := &sak.Service{Store: e.Stores.Cases, Archive: e.Stores.Queue, Now: e.Clock.Now}
	p := &Process{Client: c, Service: svc, env: e, stop: func() {}}
	p.Archiver = &sak.Archiver{Service: svc, Client: c, Mapper: e.Mapper, Now: e.Clock.Now,
		Poll: time.Second, RetryBase: time.Minute, RetryMax: 10 * time.Minute,
		Options: sak.ArchiveOptions{Now: e.Clock.Now, Open: func(_ context.Context, _ *sak.Case, _ *sak.JournalEntry, d sak.Document) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(e.Docs[d.Ref])), nil
		}}}
	if receive {
		p.Receive()
	}
	return p
}

// Receive starts the process's receiver (again).
func (p *Process) Receive() {
	p.stop = Go(p.env.T, func(ctx context.Context) error { return p.env.Fagsystem.Receive(ctx, p.Client.Handle) })
}

// Kill stops the receiver: replies stay unread in the queue.
func (p *Process) Kill() { p.stop() }

// Linted wraps a Fiks IO transport so that every message it sends is
// checked first with xmllint against the V1 XSD of its type, vendored in
// fiksarkiv/testdata (the test skips without xmllint, fails under
// GRUNNMUR_REQUIRE_PEERS=1). A message that fails is reported and sent.
func Linted(t *testing.T, tr fiksarkiv.Transport) fiksarkiv.Transport {
	return &linted{t: t, bin: testenv.Xmllint(t), next: tr}
}

type linted struct {
	t    *testing.T
	bin  string
	next fiksarkiv.Transport
}

func (l *linted) SendFiles(ctx context.Context, m fiksio.Message, files ...asice.File) (*fiksio.Sent, error) {
	if len(files) > 0 {
		doc, err := io.ReadAll(files[0].Content)
		if err != nil {
			return nil, err
		}
		files[0].Content = bytes.NewReader(doc)
		if msg := Lint(l.t, l.bin, m.Type, doc); msg != "" {
			l.t.Errorf("%s is not valid against its V1 XSD:\n%.2000s\n%.2000s", m.Type, msg, doc)
		}
	}
	return l.next.SendFiles(ctx, m, files...)
}

// Lint validates doc against the V1 XSD of messageType with xmllint (bin)
// and returns xmllint's complaint, or "" when doc is valid.
func Lint(t testing.TB, bin, messageType string, doc []byte) string {
	t.Helper()
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	xsd := filepath.Join(root, "fiksarkiv", "testdata", "V1", messageType+".xsd")
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}
