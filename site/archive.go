package site

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/sak"
)

// archiveEvery is how often the Archiver looks at the cases waiting for
// the archive; a case waiting for its kvittering is looked at every poll.
const archiveEvery = 2 * time.Second

// journaling makes the Archiver that journals the cases into the
// municipality's archive through Fiks Arkiv, when the service asks for it
// (ServiceConfig.Archive) and Fiks IO and the archive's account are
// configured: GRUNNMUR_FIKSIO_* with _PRIVATE_KEY_FILE, _SIGNING_KEY_FILE
// and _SIGNING_CERT_FILE, and GRUNNMUR_FIKSARKIV_KONTO_ID (the sandbox's
// with GRUNNMUR_DEV_AMQP_URL). Without them journaling is off: ArchiveOff
// says why, the start-up log and the officer's page too.
func (s *Service) journaling(c ServiceConfig) error {
	if c.Archive == nil || s.Cases == nil {
		return nil
	}
	get := s.Externals.getenv
	arkiv := get("GRUNNMUR_FIKSARKIV_KONTO_ID")
	cfg, err := fiksio.ConfigFromEnv("GRUNNMUR_FIKSIO_", get)
	switch {
	case errors.Is(err, config.ErrUnset) || arkiv == "":
		s.ArchiveOff = "no Fiks IO or archive account is configured (GRUNNMUR_FIKSIO_*, GRUNNMUR_FIKSARKIV_KONTO_ID; in development GRUNNMUR_DEV_AMQP_URL)"
		s.Config.Logger.Warn("site: journaling into the archive is off: " + s.ArchiveOff)
		return nil
	case err != nil:
		return fmt.Errorf("site: Fiks IO: %w", err)
	}
	konto, err := uuid.Parse(arkiv)
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_FIKSARKIV_KONTO_ID is not a UUID", ErrConfig)
	}
	if err := fiksioKeys(&cfg, get); err != nil {
		return err
	}
	cfg.Maskinporten, cfg.Now, cfg.Logger = s.Externals.Maskinporten, s.Config.Now, s.Config.Logger
	if s.fiksio, err = fiksio.New(cfg); err != nil {
		return fmt.Errorf("site: Fiks IO: %w", err)
	}
	var store fiksarkiv.Store = fiksarkiv.NewMemoryStore()
	var queue sak.ArchiveQueue = sak.NewMemoryArchiveQueue()
	if s.DB != nil {
		store, queue = postgres.NewFiksArkivStore(s.DB), postgres.NewSakArchiveQueue(s.DB)
	}
	sender, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: s.fiksio, Arkiv: konto, Store: store, System: "grunnmur",
		Now: s.Config.Now, Logger: s.Config.Logger})
	if err != nil {
		return err
	}
	s.Cases.Archive = queue
	s.Archiver = &sak.Archiver{Service: s.Cases, Client: sender, Mapper: fiksarkiv.Mapper{System: "grunnmur", Fagsystem: "grunnmur"},
		Poll: archiveEvery, Now: s.Config.Now, Logger: s.Config.Logger}
	s.archiveOptions = c.Archive
	return nil
}

// fiksioKeys reads the account's decryption key and its signing key and
// certificate from the files the variables name (PEM).
func fiksioKeys(cfg *fiksio.Config, get func(string) string) error {
	key, err := pemKey(get("GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE"))
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE: %v", ErrConfig, err)
	}
	dec, ok := key.(crypto.Decrypter)
	if !ok {
		return fmt.Errorf("%w: GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE: not a key that decrypts", ErrConfig)
	}
	sign, err := pemKey(get("GRUNNMUR_FIKSIO_SIGNING_KEY_FILE"))
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_FIKSIO_SIGNING_KEY_FILE: %v", ErrConfig, err)
	}
	b, err := os.ReadFile(get("GRUNNMUR_FIKSIO_SIGNING_CERT_FILE"))
	blk, _ := pem.Decode(b)
	if err != nil || blk == nil {
		return fmt.Errorf("%w: GRUNNMUR_FIKSIO_SIGNING_CERT_FILE: no PEM certificate", ErrConfig)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_FIKSIO_SIGNING_CERT_FILE: %v", ErrConfig, err)
	}
	cfg.Keys, cfg.Signer = []crypto.Decrypter{dec}, asice.Signer{Certificate: cert, Key: sign}
	return nil
}

// pemKey reads a PKCS #8 private key from a PEM file.
func pemKey(file string) (crypto.Signer, error) {
	if file == "" {
		return nil, errors.New("unset")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.New("cannot be read")
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS #8 private key")
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return s, nil
}

// receiver runs Fiks IO's Receive as a job: the replies of the archive.
type receiver struct {
	c *fiksio.Client
	h fiksio.Handler
}

func (r receiver) Run(ctx context.Context, _ time.Duration) error { return r.c.Receive(ctx, r.h) }

// archiveJobs are the Archiver and the receiver of the archive's replies.
func (s *Service) archiveJobs() []Job {
	if s.Archiver == nil {
		return nil
	}
	s.Archiver.Options = s.archiveOptions()
	sender := s.Archiver.Client.(*fiksarkiv.Sender)
	return []Job{{Name: "archive", Every: archiveEvery, Runner: s.Archiver},
		{Name: "archive replies", Every: time.Second, Runner: receiver{s.fiksio, sender.Handle}}}
}

// ArchiveView is what an officer's page shows of a case in the
// municipality's archive: its saksnummer there and each entry's number, or
// why there are none yet.
type ArchiveView struct {
	// Off says journaling into the archive is off, and why.
	Off string
	// Number is the archive's saksnummer ("2026/123"); Refused the
	// archive's message when it refused the case; Waiting that the case
	// waits for the archive's answer.
	Number, Refused string
	Waiting         bool
	// Entries are the archive's numbers of the entries ("2026/123-1"),
	// or its refusal, by the case's own entry number (Case.EntryNumber).
	Entries map[string]string
}

// Archive is the ArchiveView of c, in lang.
func (s *Service) Archive(c *sak.Case, lang i18n.Lang) ArchiveView {
	v := ArchiveView{Off: s.ArchiveOff, Entries: map[string]string{}}
	if s.Archiver == nil && v.Off == "" {
		v.Off = "not in use"
	}
	if c.Archive != nil {
		v.Number, v.Refused = c.ArchiveNumber(), c.Archive.Refused
	}
	for _, j := range c.Journal {
		switch {
		case j.Archive.Journaled():
			v.Entries[c.EntryNumber(j)] = c.ArchiveEntryNumber(j)
		case j.Archive != nil:
			v.Entries[c.EntryNumber(j)] = s.Messages.T(lang, "archive.refused") + " " + j.Archive.Refused
		default:
			v.Waiting = v.Off == "" && v.Refused == ""
		}
	}
	if c.Archive == nil && len(c.Journal) > 0 && v.Off == "" {
		v.Waiting = true
	}
	return v
}
