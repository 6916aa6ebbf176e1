package program

import "fmt"

// Awards a certificate can come with.
const (
	AwardPlaque = "plaque" // 牌匾: the default
	AwardMedal  = "medal"  // 奖章: awarded in tiers when the program has them
)

// Certificate says what an enterprise that passes receives: who issues
// it, the award, and for a program with medal tiers the tier each
// decision score earns.
type Certificate struct {
	// Issuer is the authority the certificate names. Empty: the program
	// office of the program's title.
	Issuer Text `yaml:"issuer"`
	// Award is AwardPlaque (the default) or AwardMedal.
	Award string `yaml:"award"`
	// Tiers are the medal tiers, highest first: each is awarded from its
	// AtLeast score (the decision's score) up to the tier above. A score
	// below every tier earns the award without a tier.
	Tiers  []Tier `yaml:"tiers"`
	Source string `yaml:"source"`
}

// Tier is one medal tier.
type Tier struct {
	Name    Text     `yaml:"name"`
	AtLeast *float64 `yaml:"at_least"`
}

// AwardOf returns the award the certificate comes with: Award, or
// AwardPlaque when the definition names none.
func (c Certificate) AwardOf() string {
	if c.Award == "" {
		return AwardPlaque
	}
	return c.Award
}

// TierOf returns the tier that decision score earns, and false when the
// program has no tiers, there is no score, or the score is below every
// tier.
func (c Certificate) TierOf(score *float64) (Tier, bool) {
	if score == nil {
		return Tier{}, false
	}
	for _, t := range c.Tiers {
		if *score >= *t.AtLeast {
			return t, true
		}
	}
	return Tier{}, false
}

// compileCertificate checks the certificate section: a known award, tiers
// only for medals, each named, with a finite score strictly below the
// tier above.
func (p *Program) compileCertificate(ps *problems) {
	c := p.Def.Certificate
	switch c.Award {
	case "", AwardPlaque, AwardMedal:
	default:
		ps.add("certificate.award", "must be %q or %q, got %q", AwardPlaque, AwardMedal, c.Award)
	}
	if len(c.Tiers) > 0 && c.Award != AwardMedal {
		ps.add("certificate.tiers", "tiers are medal tiers: set award: %s", AwardMedal)
	}
	var above *float64
	for i, t := range c.Tiers {
		path := fmt.Sprintf("certificate.tiers[%d]", i)
		if t.Name.Zh == "" && t.Name.En == "" {
			ps.add(path+".name", "needs a Chinese (zh) or English (en) name")
		}
		switch {
		case t.AtLeast == nil:
			ps.add(path+".at_least", "missing: the decision score from which the tier is awarded")
			continue
		case !ps.finite(path+".at_least", *t.AtLeast):
			continue
		case above != nil && *t.AtLeast >= *above:
			ps.add(path+".at_least", "must be below the tier above it (%g), got %g: list tiers highest first", *above, *t.AtLeast)
		}
		above = t.AtLeast
	}
}
