package fiksio

import (
	"context"
	"fmt"
	"io"

	"github.com/grunnmur/grunnmur/fiksio/asice"
)

// SendFiles seals files as an ASiC-E container, signed with Config.Signer
// and encrypted to the receiver's verified certificate (PublicKey), and
// sends it as m's payload. The container is built, signed, encrypted and
// posted as one stream: no file is held in memory. m.Payload must be nil.
func (c *Client) SendFiles(ctx context.Context, m Message, files ...asice.File) (*Sent, error) {
	if m.Payload != nil {
		return nil, fmt.Errorf("%w: SendFiles seals the payload itself; leave Message.Payload nil", ErrInvalid)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: SendFiles needs at least one file", ErrInvalid)
	}
	if c.cfg.Signer.Certificate == nil || c.cfg.Signer.Key == nil {
		return nil, fmt.Errorf("%w: Signer is required to send files", ErrConfig)
	}
	if _, err := c.metadata(m); err != nil { // refuse before asking the katalog
		return nil, err
	}
	cert, err := c.PublicKey(ctx, m.Mottaker)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	sealed := make(chan error, 1)
	go func() {
		err := asice.Seal(pw, cert, c.cfg.Signer, files...)
		pw.CloseWithError(err)
		sealed <- err
	}()
	m.Payload = pr
	sent, err := c.Send(ctx, m)
	pr.CloseWithError(io.ErrClosedPipe) // ends the sealing if the send stopped early
	if serr := <-sealed; err == nil && serr != nil {
		return nil, fmt.Errorf("fiksio: sealing the payload: %w", serr)
	}
	return sent, err
}

// Open decrypts the message's payload with Config.Keys (each tried, for
// key rotation), in memory or, beyond asice.DefaultMaxMemory, in a
// temporary file, and verifies the container: every file's digest and the
// signature. Close the Container to remove the file.
// Whether to trust the signer (Container.Signers) is the caller's choice.
// A message without a payload is an error wrapping asice.ErrNotASiCE.
func (m *Received) Open(ctx context.Context) (*asice.Container, error) {
	if m.client == nil {
		return nil, fmt.Errorf("%w: message not received by a Client", ErrConfig)
	}
	if !m.HasPayload() {
		return nil, fmt.Errorf("fiksio: message %s has no payload: %w", m.MeldingID, asice.ErrNotASiCE)
	}
	r, err := m.Payload(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	u := asice.Unsealer{Keys: m.client.cfg.Keys, TempDir: m.client.cfg.TempDir}
	return u.Unseal(r)
}
