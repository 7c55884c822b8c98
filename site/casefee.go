package site

import (
	"context"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
)

// Submission returns the form submission that opened the case: its first
// sak.LinkSubmission, from the forms store. It is forms.ErrNotFound when
// the case has no such link.
func (s *Service) Submission(ctx context.Context, c *sak.Case) (*forms.Submission, error) {
	subs := c.LinksOf(sak.LinkSubmission)
	if len(subs) == 0 || s.Forms == nil {
		return nil, forms.ErrNotFound
	}
	return s.Forms.GetSubmission(ctx, subs[0].Ref)
}

// PaymentLink is the case's link to payment p (sak.LinkPayment): its
// reference, its amount in nb as the label, and its state.
func PaymentLink(p *payment.Payment) sak.Link {
	return sak.Link{Kind: sak.LinkPayment, Ref: p.Reference, Label: i18n.NB.Amount(p.Amount), Status: string(p.State)}
}

// SettleCaseFee brings the case's fee up to date for a page that shows it:
// the latest payment for key (the Order's BusinessKey) is settled with the
// provider (payment.Service.Settle, whose OnSettled may move the case on,
// as sak.Service.FeePaid does) and linked on the case (PaymentLink). It
// returns the case as it is now; the case as it was when there is no
// payment for key yet or the case cannot be linked. A settle the provider
// does not answer is logged, and the payment as stored is linked: the
// payments' job settles it later.
func (s *Service) SettleCaseFee(ctx context.Context, actor sak.Actor, c *sak.Case, key string) *sak.Case {
	if s.Payments == nil || s.Cases == nil {
		return c
	}
	p, err := s.Payments.Latest(ctx, key)
	if err != nil {
		return c
	}
	if q, err := s.Payments.Settle(ctx, p.Reference); err != nil {
		s.Config.Logger.WarnContext(ctx, "payment settle", "reference", p.Reference, "error", err)
	} else {
		p = q
	}
	if nc, err := s.Cases.Link(ctx, actor, c.ID, PaymentLink(p)); err == nil {
		c = nc
	}
	return c
}
