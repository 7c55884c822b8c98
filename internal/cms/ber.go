package cms

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// The streaming side reads BER headers one at a time so that the encrypted
// content can pass through without being held; the small elements around
// it (recipient infos, algorithms, attributes) are read whole with
// [berReader.element] and turned into DER with [toDER] for encoding/asn1.

const (
	maxSmallElement = 1 << 20 // recipient infos, algorithms, attributes: never this large
	maxDepth        = 32      // nesting of BER elements read whole or of chunked content
)

type berHeader struct {
	class, tag  int
	constructed bool
	length      int64 // -1: indefinite
	raw         []byte
}

func (h berHeader) is(class, tag int) bool { return h.class == class && h.tag == tag }

func (h berHeader) eoc() bool { return h.class == 0 && h.tag == 0 && !h.constructed && h.length == 0 }

type berReader struct {
	r   *bufio.Reader
	pos int64 // bytes consumed
}

func newBERReader(r io.Reader) *berReader { return &berReader{r: bufio.NewReaderSize(r, 32<<10)} }

func (b *berReader) byte() (byte, error) {
	c, err := b.r.ReadByte()
	if err != nil {
		return 0, truncated(err)
	}
	b.pos++
	return c, nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrMalformed)
	}
	return err
}

func (b *berReader) header() (berHeader, error) {
	var h berHeader
	c, err := b.byte()
	if err != nil {
		return h, err
	}
	h.raw = append(h.raw, c)
	h.class, h.constructed, h.tag = int(c>>6), c&0x20 != 0, int(c&0x1f)
	if h.tag == 0x1f {
		return h, fmt.Errorf("%w: high tag number", ErrMalformed) // never used by CMS
	}
	l, err := b.byte()
	if err != nil {
		return h, err
	}
	h.raw = append(h.raw, l)
	switch {
	case l < 0x80:
		h.length = int64(l)
	case l == 0x80:
		if !h.constructed {
			return h, fmt.Errorf("%w: indefinite length on a primitive", ErrMalformed)
		}
		h.length = -1
	default:
		n := int(l & 0x7f)
		if n > 7 {
			return h, fmt.Errorf("%w: length too long", ErrMalformed)
		}
		for range n {
			c, err := b.byte()
			if err != nil {
				return h, err
			}
			h.raw = append(h.raw, c)
			h.length = h.length<<8 | int64(c)
		}
	}
	return h, nil
}

func (b *berReader) expect(class, tag int, constructed bool) (berHeader, error) {
	h, err := b.header()
	if err != nil {
		return h, err
	}
	if !h.is(class, tag) || h.constructed != constructed {
		return h, fmt.Errorf("%w: unexpected element (class %d tag %d)", ErrMalformed, h.class, h.tag)
	}
	return h, nil
}

// element reads the rest of the element whose header is h, nested
// indefinite lengths included, and returns it whole (header included).
func (b *berReader) element(h berHeader) ([]byte, error) {
	out := append([]byte(nil), h.raw...)
	return b.appendBody(out, h, 0)
}

func (b *berReader) appendBody(out []byte, h berHeader, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deep", ErrMalformed)
	}
	if h.length >= 0 {
		if int64(len(out))+h.length > maxSmallElement {
			return nil, fmt.Errorf("%w: element of %d bytes", ErrMalformed, h.length)
		}
		start := len(out)
		out = append(out, make([]byte, h.length)...)
		n, err := io.ReadFull(b.r, out[start:])
		b.pos += int64(n)
		if err != nil {
			return nil, truncated(err)
		}
		return out, nil
	}
	for {
		c, err := b.header()
		if err != nil {
			return nil, err
		}
		out = append(out, c.raw...)
		if c.eoc() {
			return out, nil
		}
		if out, err = b.appendBody(out, c, depth+1); err != nil {
			return nil, err
		}
	}
}

// toDER re-encodes one BER element with definite lengths, and turns
// constructed OCTET STRINGs into primitive ones, so that encoding/asn1 can
// read it. A DER input comes back unchanged. It returns the element and
// the bytes after it.
func toDER(in []byte) (out, rest []byte, err error) {
	return derElement(in, 0)
}

func derElement(in []byte, depth int) (out, rest []byte, err error) {
	if depth > maxDepth {
		return nil, nil, fmt.Errorf("%w: nested too deep", ErrMalformed)
	}
	if len(in) < 2 {
		return nil, nil, fmt.Errorf("%w: truncated element", ErrMalformed)
	}
	id := in[0]
	if id&0x1f == 0x1f {
		return nil, nil, fmt.Errorf("%w: high tag number", ErrMalformed)
	}
	constructed := id&0x20 != 0
	l := in[1]
	in = in[2:]
	var body []byte
	switch {
	case l == 0x80:
		if !constructed {
			return nil, nil, fmt.Errorf("%w: indefinite length on a primitive", ErrMalformed)
		}
		for {
			if len(in) >= 2 && in[0] == 0 && in[1] == 0 {
				in = in[2:]
				break
			}
			var child []byte
			if child, in, err = derElement(in, depth+1); err != nil {
				return nil, nil, err
			}
			body = append(body, child...)
		}
	default:
		n := int64(l)
		if l > 0x80 {
			k := int(l & 0x7f)
			if k > 4 || k > len(in) {
				return nil, nil, fmt.Errorf("%w: bad length", ErrMalformed)
			}
			n = 0
			for _, c := range in[:k] {
				n = n<<8 | int64(c)
			}
			in = in[k:]
		}
		if n > int64(len(in)) {
			return nil, nil, fmt.Errorf("%w: truncated element", ErrMalformed)
		}
		content := in[:n]
		in = in[n:]
		if !constructed {
			body = content
			break
		}
		for len(content) > 0 {
			var child []byte
			if child, content, err = derElement(content, depth+1); err != nil {
				return nil, nil, err
			}
			body = append(body, child...)
		}
	}
	if constructed && id == 0x24 { // constructed OCTET STRING: join the pieces
		joined, err := joinOctets(body)
		if err != nil {
			return nil, nil, err
		}
		id, body = 0x04, joined
	}
	return appendTLV(nil, id, body), in, nil
}

// joinOctets joins the contents of the DER OCTET STRINGs in b.
func joinOctets(b []byte) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		if b[0] != 0x04 {
			return nil, fmt.Errorf("%w: a constructed OCTET STRING holds something else", ErrMalformed)
		}
		var body []byte
		var err error
		if body, b, err = splitTLV(b); err != nil {
			return nil, err
		}
		out = append(out, body...)
	}
	return out, nil
}

// splitTLV splits a DER element off b and returns its contents.
func splitTLV(b []byte) (body, rest []byte, err error) {
	if len(b) < 2 {
		return nil, nil, fmt.Errorf("%w: truncated element", ErrMalformed)
	}
	l, b := b[1], b[2:]
	n := int(l)
	if l >= 0x80 {
		k := int(l & 0x7f)
		if k == 0 || k > 4 || k > len(b) {
			return nil, nil, fmt.Errorf("%w: bad length", ErrMalformed)
		}
		n = 0
		for _, c := range b[:k] {
			n = n<<8 | int(c)
		}
		b = b[k:]
	}
	if n < 0 || n > len(b) {
		return nil, nil, fmt.Errorf("%w: truncated element", ErrMalformed)
	}
	return b[:n], b[n:], nil
}

// appendTLV appends a DER element with identifier id and contents body.
func appendTLV(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = appendLength(out, len(body))
	return append(out, body...)
}

func appendLength(out []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(out, byte(n))
	case n < 1<<8:
		return append(out, 0x81, byte(n))
	case n < 1<<16:
		return append(out, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		return append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}
