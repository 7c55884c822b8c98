package fiksiotest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/secret"
)

// Config configures a Server.
type Config struct {
	// BrokerURL is the real RabbitMQ the fake uses, with credentials that
	// may declare and delete queues, e.g. amqp://guest:guest@127.0.0.1:5672/.
	// Required.
	BrokerURL string
	// Maskinporten is the fake Maskinporten whose tokens (scope ks:fiks)
	// the REST endpoints and the broker login accept. Required.
	Maskinporten *idportentest.Server
	// TLS makes the broker listener speak TLS, with a certificate for
	// "localhost" only: dial AMQPURL (amqps://localhost:port) with
	// ClientTLSConfig. Without it the listener is plain amqp://127.0.0.1.
	TLS bool
	// Listener, when set, is where the fake takes AMQP connections (a
	// sandbox reserves its ports up front); Start owns it from then on and
	// Close closes it, also when Start fails. nil means a free port on
	// 127.0.0.1.
	Listener net.Listener
	// InlineLimit is the largest payload carried in the message body;
	// larger ones go through Dokumentlager. 0 means Fiks IO's 5 MB.
	InlineLimit int64
	// Dir keeps Dokumentlager's files; empty means a temporary directory,
	// removed by Close.
	Dir string
	// Authorize, when set, decides on each REST request before the fake's
	// own checks: 0 lets it through, any other status refuses it.
	Authorize func(r *http.Request) (status int)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the fake's warnings; nil discards.
	Logger *slog.Logger
}

// Account is a Fiks IO account of the fake.
type Account struct {
	KontoID     uuid.UUID // zero means a new random id
	KontoNavn   string
	FiksOrgID   uuid.UUID
	FiksOrgNavn string
	// OrgNr, Protokoller and Sikkerhetsniva are what the katalog's lookup
	// matches: ORG_NO.<OrgNr>, one of the protocols, the level exactly.
	OrgNr          ident.Orgnr
	Protokoller    []string
	Sikkerhetsniva int
	// Certificate is the account's public key, served by offentligNokkel.
	Certificate *x509.Certificate
	// IntegrasjonID and IntegrasjonPassord are the integration that may
	// send from, and receive for, this account. Several accounts may share one.
	IntegrasjonID      uuid.UUID
	IntegrasjonPassord secret.Value
	// MaxMessages, when positive, is the queue's x-max-length with
	// x-overflow reject-publish: a send to a full queue is refused (429).
	// RabbitMQ's quorum queue refuses once it is over the limit, so it
	// takes MaxMessages+1 messages before the first refusal.
	MaxMessages int
	// NotReceiver and NotSender clear the katalog's gyldigMottaker and
	// gyldigAvsender.
	NotReceiver, NotSender bool
}

type integration struct {
	passord secret.Value
	kontoer map[uuid.UUID]bool
}

// Server is the fake Fiks IO: an http.Handler for send, katalog and
// Dokumentlager, and an AMQP listener in front of a real RabbitMQ. It is
// safe for concurrent use. Its embedded fake.Faults injects REST faults
// (Inject, with patterns such as "POST /fiks-io/api/v1/send").
type Server struct {
	fake.Faults
	cfg     Config
	handler http.Handler
	id      string // names this fake's exchange and queues on the broker
	dir     string
	ownDir  bool

	broker *amqp.Connection
	pub    *amqp.Channel
	dlx    string // the dead-letter exchange of every account queue
	dlq    string

	proxy *amqpProxy

	mu           sync.Mutex
	accounts     map[uuid.UUID]*Account
	integrations map[string]*integration
	documents    map[uuid.UUID]string // Dokumentlager id -> file
	closed       bool
}

// New returns a fake that is not yet connected: Start connects it to the
// broker. Its REST side answers 503 until then.
func New(cfg Config) *Server {
	if cfg.InlineLimit <= 0 {
		cfg.InlineLimit = 5 << 20
	}
	s := &Server{cfg: cfg, id: uuid.NewString()[:8], accounts: map[uuid.UUID]*Account{},
		integrations: map[string]*integration{}, documents: map[uuid.UUID]string{}}
	s.handler = s.Faults.Handler(s.routes(), func(w http.ResponseWriter, r *http.Request, status int) {
		s.writeError(w, r, status, "injected fault")
	})
	return s
}

// Start connects to the broker, declares the fake's dead-letter exchange
// and queue, starts turning dead letters into receipts, and opens the AMQP
// listener on 127.0.0.1. Close undoes it all.
func (s *Server) Start(ctx context.Context) error {
	cfg := s.cfg
	s.mu.Lock()
	started := s.broker != nil
	s.mu.Unlock()
	if started {
		return errors.New("fiksiotest: started twice")
	}
	ok := false
	if cfg.Listener != nil {
		defer func() {
			if !ok {
				_ = cfg.Listener.Close()
			}
		}()
	}
	if cfg.Maskinporten == nil {
		return errors.New("fiksiotest: Config.Maskinporten is required")
	}
	bu, err := url.Parse(cfg.BrokerURL)
	if err != nil || bu.Scheme != "amqp" || bu.Host == "" {
		return errors.New("fiksiotest: Config.BrokerURL must be an amqp:// URL")
	}
	s.dir = cfg.Dir
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "fiksiotest-dokumentlager-"); err != nil {
			return err
		}
		s.ownDir = true
	}
	broker, err := amqp.DialConfig(cfg.BrokerURL, amqp.Config{Properties: connName("fiksiotest-" + s.id)})
	if err != nil {
		s.cleanDir()
		return fmt.Errorf("fiksiotest: broker: %w", err)
	}
	if err := s.setupBroker(ctx, broker); err != nil {
		_ = broker.Close()
		s.broker, s.pub = nil, nil
		s.cleanDir()
		return err
	}
	ln := cfg.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			_ = s.Close()
			return err
		}
	}
	host := bu.Host
	if bu.Port() == "" {
		host = net.JoinHostPort(bu.Hostname(), "5672")
	}
	pass, _ := bu.User.Password()
	p := &amqpProxy{ln: ln, brokerAddr: host, brokerUser: bu.User.Username(), brokerPass: pass, conns: map[*proxied]struct{}{}}
	if cfg.TLS {
		if p.ln, p.tlsRoots, err = tlsListener(ln); err != nil {
			_ = ln.Close()
			_ = s.Close()
			return err
		}
	}
	s.mu.Lock()
	s.proxy = p
	s.mu.Unlock()
	ok = true
	go s.serveAMQP()
	return nil
}

func connName(n string) amqp.Table {
	t := amqp.NewConnectionProperties()
	t.SetClientConnectionName(n)
	return t
}

func (s *Server) now() time.Time    { return defaults.Now(s.cfg.Now) }
func (s *Server) log() *slog.Logger { return defaults.Logger(s.cfg.Logger) }

// AMQPURL is the broker URL a fiksio.Client dials (with AllowPlainAMQP
// unless Config.TLS is set).
func (s *Server) AMQPURL() string {
	if s.proxy == nil {
		return ""
	}
	addr := s.proxy.ln.Addr().String()
	if s.cfg.TLS {
		_, port, _ := net.SplitHostPort(addr)
		return "amqps://localhost:" + port + "/"
	}
	return "amqp://" + addr + "/"
}

// ClientTLSConfig trusts the fake's broker certificate (Config.TLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.proxy.tlsRoots, MinVersion: tls.VersionTLS12}
}

// ServeHTTP serves send, katalog and Dokumentlager.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// AddAccount registers an account and declares its queue on the broker:
// fiksio.konto.<KontoID>, a quorum queue that dead-letters a message after
// MaxDeliveries failed deliveries, with the fake's dead-letter exchange. It returns the account as stored.
func (s *Server) AddAccount(ctx context.Context, a Account) (Account, error) {
	if a.KontoID == uuid.Nil {
		a.KontoID = uuid.New()
	}
	if a.IntegrasjonID == uuid.Nil || a.IntegrasjonPassord.IsZero() {
		return Account{}, errors.New("fiksiotest: an account needs IntegrasjonID and IntegrasjonPassord")
	}
	if s.pub == nil {
		return Account{}, errors.New("fiksiotest: AddAccount before Start")
	}
	if a.Sikkerhetsniva == 0 {
		a.Sikkerhetsniva = 2
	}
	if err := s.declareAccountQueue(ctx, &a); err != nil {
		return Account{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.KontoID] = &a
	in := s.integrations[a.IntegrasjonID.String()]
	if in == nil {
		in = &integration{passord: a.IntegrasjonPassord, kontoer: map[uuid.UUID]bool{}}
		s.integrations[a.IntegrasjonID.String()] = in
	}
	in.kontoer[a.KontoID] = true
	return a, nil
}

func (s *Server) account(id uuid.UUID) *Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accounts[id]
}

func (s *Server) integration(id string) *integration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.integrations[id]
}

// Close stops the listener, cuts the client connections, deletes the
// fake's queues and exchange from the broker and removes Dokumentlager's
// files.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var queues []string
	for id := range s.accounts {
		queues = append(queues, "fiksio.konto."+id.String())
	}
	s.mu.Unlock()
	if s.proxy != nil {
		_ = s.proxy.ln.Close()
		s.DropConnections()
		s.proxy.mu.Lock()
		s.proxy.conns = nil
		s.proxy.mu.Unlock()
		s.proxy.wg.Wait()
	}
	if s.broker == nil {
		s.cleanDir()
		return nil
	}
	var errs []error
	if ch, err := s.broker.Channel(); err == nil {
		for _, q := range append(queues, s.dlq) {
			if _, err := ch.QueueDelete(q, false, false, false); err != nil {
				errs = append(errs, err)
				if ch, err = s.broker.Channel(); err != nil {
					break
				}
			}
		}
		if err := ch.ExchangeDelete(s.dlx, false, false); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.broker.Close())
	s.cleanDir()
	return errors.Join(errs...)
}

func (s *Server) cleanDir() {
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
}
