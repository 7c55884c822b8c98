package notify

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/secret"
)

// TLS modes of an SMTP connection.
const (
	// STARTTLS upgrades a plain connection (port 587, 25) and refuses a
	// server that does not offer it.
	STARTTLS = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465, "smtps").
	ImplicitTLS = "tls"
	// NoTLS sends in the clear; New refuses it for any host but loopback
	// (a local Mailpit).
	NoTLS = "none"
)

// SMTPConfig configures an SMTP provider.
type SMTPConfig struct {
	// Host and Port of the submission server; Port 0 means 587, or 465
	// with ImplicitTLS.
	Host string
	Port int
	// TLS is STARTTLS (""), ImplicitTLS or NoTLS.
	TLS string
	// TLSConfig sets the roots and the like; nil means the system's roots
	// and Host as the server name.
	TLSConfig *tls.Config
	// Username and Password authenticate (SMTP AUTH, the best mechanism the
	// server offers); an empty Username sends without.
	Username string
	Password secret.Value
	// From is the sender's address (postmottak@kommune.no), FromName its
	// display name.
	From     string
	FromName string
	// DKIM, when set, signs every message; otherwise the message is ready
	// for the relay to sign: every header DKIM covers is set.
	DKIM *DKIM
	// Timeout bounds connecting and each command; 0 means 30 seconds.
	Timeout time.Duration
}

// DKIM is a signing key for DKIM (RFC 6376): d=Domain, s=Selector.
type DKIM struct {
	Domain, Selector string
	Key              crypto.Signer
}

// Format prints the configuration with its key redacted.
func (d DKIM) Format(f fmt.State, verb rune) {
	type plain DKIM
	d.Key = redact.Signer(d.Key)
	redact.Struct(f, verb, plain(d))
}

// SMTPConfigFromURL reads a configuration from a URL, as GRUNNMUR_SMTP_URL
// holds it:
//
//	smtp://user:password@smtp.kommune.no:587?from=postmottak@kommune.no&name=Kommunen   (STARTTLS)
//	smtps://user:password@smtp.kommune.no?from=postmottak@kommune.no                     (implicit TLS, 465)
//	smtp://127.0.0.1:1025?tls=none&from=test@kommune.no                                  (loopback only)
//
// A URL that does not parse is an error matching ErrConfig that does not
// echo it (it holds the password).
func SMTPConfigFromURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return SMTPConfig{}, fmt.Errorf("%w: the SMTP URL does not parse as smtp://user:password@host:port?from=address", ErrConfig)
	}
	q := u.Query()
	cfg := SMTPConfig{Host: u.Hostname(), TLS: q.Get("tls"), From: q.Get("from"), FromName: q.Get("name")}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		if cfg.TLS != "" && cfg.TLS != ImplicitTLS {
			return SMTPConfig{}, fmt.Errorf("%w: smtps:// is implicit TLS, not tls=%s", ErrConfig, cfg.TLS)
		}
		cfg.TLS = ImplicitTLS
	default:
		return SMTPConfig{}, fmt.Errorf("%w: the SMTP URL's scheme is %q, not smtp or smtps", ErrConfig, u.Scheme)
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return SMTPConfig{}, fmt.Errorf("%w: the SMTP port is not a number", ErrConfig)
		}
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		pw, _ := u.User.Password()
		cfg.Password = secret.New(pw)
	}
	return cfg, nil
}

// SMTPConfigFromEnv reads GRUNNMUR_SMTP_URL (prefix "GRUNNMUR_SMTP_" + "URL")
// with SMTPConfigFromURL. Unset, the error matches config.ErrUnset.
func SMTPConfigFromEnv(prefix string, getenv func(string) string) (SMTPConfig, error) {
	raw := getenv(prefix + "URL")
	if raw == "" {
		return SMTPConfig{}, fmt.Errorf("%w: %sURL", config.ErrUnset, prefix)
	}
	return SMTPConfigFromURL(raw)
}

// SMTP is an EmailProvider that submits mail to an SMTP server with go-mail.
//
// SMTP has no idempotency key, so exactly-once over SMTP rests on the
// Message-ID: when a process dies after the server accepted a message and
// before the Store recorded it, the Sender sends it again after the lease
// (at-least-once delivery), with the same Message-ID, because MessageID
// derives it from the idempotency key. A receiver that keeps one message per
// Message-ID (Mailpit with --ignore-duplicate-ids, many archives and mail
// stores) holds it once; one that does not shows it twice.
type SMTP struct {
	cfg    SMTPConfig
	domain string
}

var _ EmailProvider = (*SMTP)(nil)

// NewSMTP checks cfg and returns the provider.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: no SMTP host", ErrConfig)
	}
	from, err := ParseEmail(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("%w: From: %w", ErrConfig, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = STARTTLS
	case STARTTLS, ImplicitTLS:
	case NoTLS:
		if ip := net.ParseIP(cfg.Host); cfg.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%w: SMTP without TLS only to a loopback host, not %s", ErrConfig, cfg.Host)
		}
	default:
		return nil, fmt.Errorf("%w: SMTP TLS mode %q is none of starttls, tls and none", ErrConfig, cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == ImplicitTLS {
			cfg.Port = 465
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: SMTP port %d", ErrConfig, cfg.Port)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.DKIM != nil && (cfg.DKIM.Domain == "" || cfg.DKIM.Selector == "" || cfg.DKIM.Key == nil) {
		return nil, fmt.Errorf("%w: DKIM needs a domain, a selector and a key", ErrConfig)
	}
	a := from.Reveal()
	return &SMTP{cfg: cfg, domain: a[strings.LastIndexByte(a, '@')+1:]}, nil
}

// MessageID returns the Message-ID (without angle brackets) the provider
// gives the message with idempotency key key: a hash of the key, so that the
// key itself, which may name a case or a person, is not shown.
func (s *SMTP) MessageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "notify." + hex.EncodeToString(sum[:16]) + "@" + s.domain
}

func (s *SMTP) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(s.cfg.Timeout), mail.WithoutNoop()}
	tc := s.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tc))
	case STARTTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tc))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.Username != "" {
		mech := mail.SMTPAuthAutoDiscover
		if s.cfg.TLS == NoTLS {
			mech = mail.SMTPAuthPlainNoEnc // loopback only: NewSMTP has checked
		}
		opts = append(opts, mail.WithSMTPAuth(mech), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password.Reveal()))
	}
	return mail.NewClient(s.cfg.Host, opts...)
}

// Message builds the message SendEmail submits: From, To, Reply-To, Subject
// (RFC 2047 encoded when it is not ASCII), Date, the Message-ID of the key,
// Auto-Submitted: auto-generated, and a multipart/alternative body of the
// text and the HTML, quoted-printable in UTF-8.
func (s *SMTP) Message(m *OutgoingEmail) (*mail.Msg, error) {
	var opts []mail.MsgOption
	if d := s.cfg.DKIM; d != nil {
		opts = append(opts, mail.WithDKIM(mail.NewDKIMSigner(d.Domain, d.Selector, d.Key)))
	}
	msg := mail.NewMsg(append(opts, mail.WithEncoding(mail.EncodingQP), mail.WithCharset(mail.CharsetUTF8), mail.WithNoDefaultUserAgent())...)
	var err error
	if s.cfg.FromName != "" {
		err = msg.FromFormat(s.cfg.FromName, s.cfg.From)
	} else {
		err = msg.From(s.cfg.From)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: From: does not parse", ErrConfig)
	}
	if err := msg.To(m.To.Reveal()); err != nil {
		return nil, fmt.Errorf("%w: To: %w", ErrPermanent, ErrInvalidEmail)
	}
	if !m.ReplyTo.IsZero() {
		if err := msg.ReplyTo(m.ReplyTo.Reveal()); err != nil {
			return nil, fmt.Errorf("%w: Reply-To: %w", ErrPermanent, ErrInvalidEmail)
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(s.MessageID(m.Key))
	msg.SetDate()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// SendEmail implements EmailProvider. A 5xx answer is ErrPermanent, a 4xx
// or a connection failure is ErrTemporary. The error names the SMTP stage
// and code; the addresses in the server's text are masked.
func (s *SMTP) SendEmail(ctx context.Context, m *OutgoingEmail) (Receipt, error) {
	msg, err := s.Message(m)
	if err != nil {
		return Receipt{}, err
	}
	c, err := s.client()
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: %w: smtp client: %s", ErrPermanent, ErrConfig, s.mask(err, m))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) {
			kind := ErrTemporary
			if !se.IsTemp() && se.ErrorCode() >= 500 {
				kind = ErrPermanent
			}
			return Receipt{}, fmt.Errorf("%w: smtp: %s (%d)", kind, se.Reason, se.ErrorCode())
		}
		return Receipt{}, fmt.Errorf("%w: smtp: %s", ErrTemporary, s.mask(err, m))
	}
	return Receipt{ProviderID: s.MessageID(m.Key), Status: Delivered}, nil
}

// mask keeps the message's addresses out of an error's text.
func (s *SMTP) mask(err error, m *OutgoingEmail) string {
	t := err.Error()
	for _, a := range []Address{m.To, m.ReplyTo} {
		if !a.IsZero() {
			t = strings.ReplaceAll(t, a.Reveal(), a.String())
		}
	}
	return redact.Numbers(t)
}
