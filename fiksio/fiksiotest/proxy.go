package fiksiotest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
)

// The broker login.
//
// Fiks IO's broker takes the password "<integrasjonspassord> <Maskinporten
// token>". A stock RabbitMQ cannot check a token, so the fake puts a small
// AMQP proxy in front of it: the client's TCP (or TLS) connection ends at
// the fake, which reads the connection.start-ok frame, checks the SASL
// PLAIN credentials itself (the integration id, its password, and the token
// against the fake Maskinporten, scope ks:fiks), and passes the connection
// on to the real broker with the broker's own credentials. Every frame after
// the login is relayed unchanged, so the client speaks to the real broker:
// queues, acks, redelivery, dead-lettering and connection.close are
// RabbitMQ's own. A refused login is passed on with a wrong password, so
// the refusal the client sees is RabbitMQ's ACCESS_REFUSED, as from Fiks IO.
//
// This was chosen over the alternatives: RabbitMQ's HTTP auth backend must
// be configured into the broker (the shared test broker is not ours to
// reconfigure), and per-account broker users cannot hold a password that
// contains a token the client fetches only at login.

// protocolHeader opens every AMQP 0-9-1 connection.
var protocolHeader = []byte("AMQP\x00\x00\x09\x01")

const frameEnd = 0xCE

type frame struct {
	typ     byte
	channel uint16
	payload []byte
}

func readFrame(r io.Reader) (frame, error) {
	var h [7]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return frame{}, err
	}
	size := binary.BigEndian.Uint32(h[3:])
	if size > 1<<20 {
		return frame{}, errors.New("fiksiotest: handshake frame too large")
	}
	buf := make([]byte, size+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return frame{}, err
	}
	if buf[size] != frameEnd {
		return frame{}, errors.New("fiksiotest: bad frame end")
	}
	return frame{typ: h[0], channel: binary.BigEndian.Uint16(h[1:]), payload: buf[:size]}, nil
}

func writeFrame(w io.Writer, f frame) error {
	b := make([]byte, 7, 8+len(f.payload))
	b[0] = f.typ
	binary.BigEndian.PutUint16(b[1:], f.channel)
	binary.BigEndian.PutUint32(b[3:], uint32(len(f.payload)))
	b = append(b, f.payload...)
	b = append(b, frameEnd)
	_, err := w.Write(b)
	return err
}

// startOk is connection.start-ok (class 10, method 11).
type startOk struct {
	properties []byte // the client-properties table, length prefix included
	mechanism  string
	response   []byte
	locale     string
}

var errNotStartOk = errors.New("fiksiotest: expected connection.start-ok")

func parseStartOk(f frame) (*startOk, error) {
	p := f.payload
	if f.typ != 1 || f.channel != 0 || len(p) < 8 || binary.BigEndian.Uint16(p) != 10 || binary.BigEndian.Uint16(p[2:]) != 11 {
		return nil, errNotStartOk
	}
	p = p[4:]
	n := binary.BigEndian.Uint32(p)
	if uint64(len(p)) < 4+uint64(n)+1 {
		return nil, errNotStartOk
	}
	s := &startOk{properties: p[:4+n]}
	p = p[4+n:]
	ml := int(p[0])
	if len(p) < 1+ml+4 {
		return nil, errNotStartOk
	}
	s.mechanism = string(p[1 : 1+ml])
	p = p[1+ml:]
	rl := binary.BigEndian.Uint32(p)
	if uint64(len(p)) < 4+uint64(rl)+1 {
		return nil, errNotStartOk
	}
	s.response = p[4 : 4+rl]
	p = p[4+rl:]
	ll := int(p[0])
	if len(p) < 1+ll {
		return nil, errNotStartOk
	}
	s.locale = string(p[1 : 1+ll])
	return s, nil
}

func (s *startOk) frame() frame {
	var b bytes.Buffer
	b.Write([]byte{0, 10, 0, 11})
	b.Write(s.properties)
	b.WriteByte(byte(len(s.mechanism)))
	b.WriteString(s.mechanism)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(s.response)))
	b.Write(s.response)
	b.WriteByte(byte(len(s.locale)))
	b.WriteString(s.locale)
	return frame{typ: 1, payload: b.Bytes()}
}

// Login is one broker login the fake checked.
type Login struct {
	IntegrasjonID string
	// TokenHash is the SHA-256 of the Maskinporten token in the password
	// (hex), so that a test can tell tokens apart without holding them.
	TokenHash string
	OK        bool
	Reason    string // why a refused login was refused
	At        time.Time
}

type proxied struct {
	client, upstream net.Conn
	brokerName       string // as rabbitmqctl list_connections names it
}

type amqpProxy struct {
	ln         net.Listener
	brokerAddr string
	brokerUser string
	brokerPass string
	tlsRoots   *x509.CertPool

	mu     sync.Mutex
	conns  map[*proxied]struct{}
	logins []Login
	delay  time.Duration
	wg     sync.WaitGroup
}

func (s *Server) serveAMQP() {
	p := s.proxy
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { s.proxyConn(c) })
	}
}

func (s *Server) proxyConn(client net.Conn) {
	p := s.proxy
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(30 * time.Second))
	hdr := make([]byte, len(protocolHeader))
	if _, err := io.ReadFull(client, hdr); err != nil {
		return
	}
	if !bytes.Equal(hdr, protocolHeader) {
		_, _ = client.Write(protocolHeader) // the spec's answer to a wrong version
		return
	}
	up, err := net.DialTimeout("tcp", p.brokerAddr, 10*time.Second)
	if err != nil {
		s.log().Warn("fiksiotest: broker unreachable", "error", err)
		return
	}
	defer up.Close()
	_ = up.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := up.Write(hdr); err != nil {
		return
	}
	start, err := readFrame(up) // connection.start
	if err != nil || writeFrame(client, start) != nil {
		return
	}
	f, err := readFrame(client)
	if err != nil {
		return
	}
	so, err := parseStartOk(f)
	if err != nil {
		return
	}
	pass := p.brokerPass
	if so.mechanism != "PLAIN" {
		p.record(Login{Reason: "mechanism " + so.mechanism, At: s.now()})
		pass = "refused-" + uuid.NewString()
	} else if login := s.checkLogin(so.response); !login.OK {
		p.record(login)
		pass = "refused-" + uuid.NewString()
	} else {
		p.record(login)
	}
	so.mechanism = "PLAIN"
	so.response = []byte("\x00" + p.brokerUser + "\x00" + pass)
	if writeFrame(up, so.frame()) != nil {
		return
	}
	_ = client.SetDeadline(time.Time{})
	_ = up.SetDeadline(time.Time{})
	c := &proxied{client: client, upstream: up, brokerName: up.LocalAddr().String() + " -> " + up.RemoteAddr().String()}
	p.mu.Lock()
	if p.conns == nil {
		p.mu.Unlock()
		return // closed meanwhile
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, client); _ = up.Close(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, &slowReader{r: up, p: p}); _ = client.Close(); done <- struct{}{} }()
	<-done
	<-done
}

// slowReader holds each chunk from the broker for the injected delay.
type slowReader struct {
	r io.Reader
	p *amqpProxy
}

func (s *slowReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	s.p.mu.Lock()
	d := s.p.delay
	s.p.mu.Unlock()
	if d > 0 && n > 0 {
		time.Sleep(d)
	}
	return n, err
}

// checkLogin checks a SASL PLAIN response: \0 integration id \0 password
// space token.
func (s *Server) checkLogin(resp []byte) Login {
	l := Login{At: s.now()}
	parts := bytes.SplitN(resp, []byte{0}, 3)
	if len(parts) != 3 {
		l.Reason = "malformed PLAIN response"
		return l
	}
	l.IntegrasjonID = string(parts[1])
	pw := string(parts[2])
	i := strings.LastIndexByte(pw, ' ')
	if i < 0 {
		l.Reason = "the password holds no token"
		return l
	}
	passord, token := pw[:i], pw[i+1:]
	sum := sha256.Sum256([]byte(token))
	l.TokenHash = hex.EncodeToString(sum[:])
	in := s.integration(l.IntegrasjonID)
	if in == nil {
		l.Reason = "unknown integration"
		return l
	}
	if subtle.ConstantTimeCompare([]byte(passord), []byte(in.passord.Reveal())) != 1 {
		l.Reason = "wrong integration password"
		return l
	}
	if _, err := s.cfg.Maskinporten.VerifyMaskinportenToken(token, fiksio.Scope); err != nil {
		l.Reason = err.Error()
		return l
	}
	l.OK = true
	return l
}

func (p *amqpProxy) record(l Login) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logins = append(p.logins, l)
}

// Logins lists the broker logins so far, in order.
func (s *Server) Logins() []Login {
	s.proxy.mu.Lock()
	defer s.proxy.mu.Unlock()
	return append([]Login(nil), s.proxy.logins...)
}

// Connections is how many client connections are open through the fake.
func (s *Server) Connections() int {
	s.proxy.mu.Lock()
	defer s.proxy.mu.Unlock()
	return len(s.proxy.conns)
}

// DropConnections cuts every client's broker connection at the TCP level,
// mid-stream, as a network failure would. Unacknowledged messages go back
// to their queues. It returns how many it cut.
func (s *Server) DropConnections() int {
	s.proxy.mu.Lock()
	defer s.proxy.mu.Unlock()
	for c := range s.proxy.conns {
		_ = c.client.Close()
		_ = c.upstream.Close()
	}
	return len(s.proxy.conns)
}

// CloseFromBroker has RabbitMQ itself close every client connection
// (rabbitmqctl close_connection), as Fiks IO does when it restarts: the
// client gets connection.close with CONNECTION_FORCED. rabbitmqctl must be
// on PATH and allowed to reach the broker.
func (s *Server) CloseFromBroker(ctx context.Context) (int, error) {
	s.proxy.mu.Lock()
	var names []string
	for c := range s.proxy.conns {
		names = append(names, c.brokerName)
	}
	s.proxy.mu.Unlock()
	if len(names) == 0 {
		return 0, nil
	}
	// close_connection takes the connection's pid; list them by name.
	out, err := exec.CommandContext(ctx, "rabbitmqctl", "list_connections", "-q", "--no-table-headers", "pid", "name").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("fiksiotest: rabbitmqctl list_connections: %v: %s", err, bytes.TrimSpace(out))
	}
	closed := 0
	for line := range strings.Lines(string(out)) {
		pid, name, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		if out, err := exec.CommandContext(ctx, "rabbitmqctl", "close_connection", pid, "fiksiotest: closed from the broker").CombinedOutput(); err != nil {
			return closed, fmt.Errorf("fiksiotest: rabbitmqctl close_connection: %v: %s", err, bytes.TrimSpace(out))
		}
		closed++
	}
	return closed, nil
}

// SetDeliveryDelay holds every chunk the broker sends a client for d (0
// stops it): a slow link between broker and consumer.
func (s *Server) SetDeliveryDelay(d time.Duration) {
	s.proxy.mu.Lock()
	defer s.proxy.mu.Unlock()
	s.proxy.delay = d
}

// tlsListener wraps ln in TLS with a fresh certificate for "localhost"
// only, so that a client that checks the server name must dial localhost.
func tlsListener(ln net.Listener) (net.Listener, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "fiksiotest broker"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	return tls.NewListener(ln, cfg), pool, nil
}
