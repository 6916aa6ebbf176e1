// Package demo makes the bundled sample data: fictional enterprises for
// the built-in programs, generated deterministically from a seed, written
// as the CSV files an administrator would receive.
package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/exemplar/exemplar/internal/ingest"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/uscc"
)

// Seed is the default seed of the sample data.
const Seed = 2018

// Samples maps each built-in program to its sample size.
var Samples = map[string]int{"hnte": 400, "miit-tide": 150}

// CreditCode returns a valid, fictional unified social credit code for
// enterprise k: registered by market regulation (9) as an enterprise (1).
func CreditCode(rng *rand.Rand, division string) string {
	body := "91" + division
	for len(body) < 17 {
		body += string(uscc.Charset[rng.IntN(len(uscc.Charset))])
	}
	c, err := uscc.CheckChar(body)
	if err != nil {
		panic(err) // the body is built from the charset: cannot happen
	}
	return body + string(c)
}

// row collects one enterprise's cells by input id (and year).
type row map[string]string

func (r row) set(id string, v float64) { r[id] = strconv.FormatFloat(v, 'f', -1, 64) }
func (r row) yearly(id string, vs ...float64) {
	for y, v := range vs {
		r[fmt.Sprintf("%s[%d]", id, y)] = strconv.FormatFloat(v, 'f', -1, 64)
	}
}
func (r row) flag(id string, b bool) {
	if b {
		r[id] = "yes"
	} else {
		r[id] = "no"
	}
}

// WriteCSV writes n sample enterprises of program p as CSV with the
// template's headers.
func WriteCSV(w io.Writer, p *program.Program, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, uint64(len(p.Def.Name))))
	var gen func(k int) row
	switch p.Def.Name {
	case "hnte":
		gen = func(k int) row { return hnteRow(rng, k) }
	case "miit-tide":
		gen = func(k int) row { return tideRow(rng, k, p) }
	default:
		return fmt.Errorf("demo: no sample data for program %q", p.Def.Name)
	}
	cw := csv.NewWriter(w)
	var header, keys []string
	for _, in := range p.Inputs {
		for y := 0; y < in.Years; y++ {
			header = append(header, ingest.Header(in, y))
			if in.Yearly {
				keys = append(keys, fmt.Sprintf("%s[%d]", in.ID, y))
			} else {
				keys = append(keys, in.ID)
			}
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		r := gen(k)
		cells := make([]string, len(keys))
		for i, key := range keys {
			cells[i] = r[key]
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// logNormal draws around median with spread sigma (in log units).
func logNormal(rng *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*rng.NormFloat64())
}

func round(v float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(v*f) / f
}

// series makes three years of a quantity growing by about growth a year.
func series(rng *rand.Rand, last, growth, noise float64) [3]float64 {
	var s [3]float64
	s[2] = last
	for y := 1; y >= 0; y-- {
		g := growth + noise*rng.NormFloat64()
		s[y] = s[y+1] / (1 + g)
	}
	for y := range s {
		s[y] = round(s[y], 1)
	}
	return s
}

var districts = []string{"110108", "310115", "440305", "320506", "330106", "420111", "510107", "370212"}

var namePrefixes = []string{"华", "中", "长", "新", "东", "海", "金", "瑞", "天", "恒", "博", "智", "航", "精", "远", "宏"}
var nameMiddles = []string{"信", "创", "芯", "源", "达", "科", "为", "驰", "电", "光", "材", "维", "腾", "联", "测", "盛"}
var nameKinds = []string{"科技有限公司", "电子股份有限公司", "智能装备有限公司", "生物医药有限公司", "新材料有限公司", "软件有限公司"}

func companyName(rng *rand.Rand, k int) string {
	return namePrefixes[rng.IntN(len(namePrefixes))] + nameMiddles[rng.IntN(len(nameMiddles))] +
		nameMiddles[(k+rng.IntN(len(nameMiddles)))%len(nameMiddles)] + nameKinds[rng.IntN(len(nameKinds))]
}

func hnteRow(rng *rand.Rand, k int) row {
	r := row{}
	r["uscc"] = CreditCode(rng, districts[k%len(districts)])
	r["name"] = companyName(rng, k)
	r.set("registered_years", round(0.5+rng.Float64()*15, 1))
	r.flag("core_ip", rng.Float64() > 0.04)
	r.flag("supported_field", rng.Float64() > 0.03)
	staff := math.Round(logNormal(rng, 180, 0.9)) + 10
	r.set("staff_total", staff)
	r.set("staff_tech", math.Round(staff*(0.08+0.3*rng.Float64())))
	sales := series(rng, round(logNormal(rng, 9000, 1.2), 1), 0.2, 0.15)
	r.yearly("sales", sales[:]...)
	intensity := 0.038 + 0.06*rng.Float64()
	rd := [3]float64{}
	dom := [3]float64{}
	for y := range rd {
		rd[y] = round(sales[y]*intensity*(0.9+0.2*rng.Float64()), 1)
		dom[y] = round(rd[y]*(0.5+0.5*rng.Float64()+0.3), 1)
		dom[y] = math.Min(dom[y], rd[y])
	}
	r.yearly("rd", rd[:]...)
	r.yearly("rd_domestic", dom[:]...)
	r.set("total_revenue", round(sales[2]*1.03, 1))
	r.set("hitech_revenue", round(sales[2]*(0.55+0.45*rng.Float64()), 1))
	r.flag("major_accident", rng.Float64() < 0.02)
	r.set("ip_advancement_points", float64(4+rng.IntN(5)))
	r.set("ip_support_points", float64(4+rng.IntN(5)))
	r.set("ip_class1", float64(rng.IntN(3)))
	r.set("ip_class2", float64(rng.IntN(9)))
	r.flag("ip_own_rd", rng.Float64() > 0.15)
	r.set("ip_acquisition_points", float64(3+rng.IntN(4)))
	r.set("standards_points", float64(rng.IntN(3)))
	tr := [3]float64{float64(2 + rng.IntN(6)), float64(2 + rng.IntN(6)), float64(3 + rng.IntN(5))}
	r.yearly("transformations", tr[:]...)
	r.set("org_rules_points", float64(2+rng.IntN(5)))
	r.set("org_body_points", float64(2+rng.IntN(5)))
	r.set("org_transfer_points", float64(1+rng.IntN(4)))
	r.set("org_talent_points", float64(1+rng.IntN(4)))
	assets := series(rng, round(logNormal(rng, 12000, 1.0), 1), 0.12, 0.15)
	r.yearly("total_assets", assets[:]...)
	var liab [3]float64
	for y := range liab {
		liab[y] = round(assets[y]*(0.3+0.3*rng.Float64()), 1)
	}
	r.yearly("liabilities", liab[:]...)
	return r
}

// tideChannels are the channels the sample's 150 enterprises come from,
// weighted roughly by industrial size.
var tideChannels = []string{
	"jiangsu", "zhejiang", "guangdong", "shandong", "beijing", "shanghai", "hubei", "sichuan",
	"anhui", "henan", "hunan", "fujian", "liaoning", "tianjin", "hebei", "chongqing", "shaanxi",
	"jiangxi", "shenzhen", "qingdao", "ningbo", "xiamen", "dalian", "jilin", "heilongjiang",
	"guangxi", "yunnan", "guizhou", "shanxi", "inner_mongolia", "gansu", "xinjiang", "xpcc",
	"central_soe", "central_soe", "central_soe", "hainan", "ningxia", "qinghai",
}

func tideRow(rng *rand.Rand, k int, p *program.Program) row {
	r := row{}
	r["uscc"] = CreditCode(rng, districts[k%len(districts)])
	r["name"] = companyName(rng, k)
	ch := tideChannels[k%len(tideChannels)]
	r["channel"] = ch
	r["industry"] = []string{"专用设备制造业", "计算机、通信和其他电子设备制造业", "医药制造业", "汽车制造业", "化学原料和化学制品制造业"}[rng.IntN(5)]
	r.flag("sound_credit", rng.Float64() > 0.01)
	r.flag("china_controlled", true)
	r["tech_centre"] = []string{"national", "national", "provincial"}[rng.IntN(3)]
	if rng.Float64() < 0.02 {
		r["tech_centre"] = "none"
	}
	r.flag("innovation_effect", true)
	r.set("employees", math.Round(logNormal(rng, 3000, 0.9)))
	sales := series(rng, round(logNormal(rng, 400000, 1.0), 1), 0.1, 0.05)
	r.yearly("sales", sales[:]...)
	r.set("total_assets", round(sales[2]*(1+rng.Float64()), 1))
	intensity := 0.032 + 0.05*rng.Float64()
	if rng.Float64() < 0.05 {
		intensity = 0.02 + 0.01*rng.Float64()
	}
	var rd, profit [3]float64
	margin := 0.02 + 0.1*rng.Float64()
	for y := range rd {
		rd[y] = round(sales[y]*(intensity+0.004*rng.NormFloat64()), 1)
		profit[y] = round(sales[y]*margin*(0.97+0.06*rng.Float64()), 1)
	}
	rd[2] = math.Max(rd[2], 0)
	if rng.Float64() < 0.04 {
		profit[1] = -round(sales[1]*0.01, 1)
	}
	r.yearly("rd", rd[:]...)
	r.yearly("profit", profit[:]...)
	r.set("rd_staff_income_ratio", round(1+rng.Float64(), 2))
	r.set("training_cost_pct", round(1+6*rng.Float64(), 1))
	r.set("external_experts", float64(rng.IntN(60)))
	r.set("external_projects_pct", round(5+40*rng.Float64(), 1))
	r.set("rd_staff_pct", round(8+20*rng.Float64(), 1))
	r.set("senior_experts", float64(5+rng.IntN(200)))
	r.set("equipment_value", round(logNormal(rng, 20000, 0.8), 1))
	r.set("certified_labs", float64(rng.IntN(8)))
	r.set("long_projects_pct", round(10+40*rng.Float64(), 1))
	r.set("invention_patents", math.Round(logNormal(rng, 120, 1.0)))
	r.set("top_brands", float64(rng.IntN(6)))
	r.set("new_products", float64(5+rng.IntN(80)))
	r.set("patent_applications", math.Round(logNormal(rng, 90, 0.9)))
	r.set("standards", float64(rng.IntN(30)))
	r.set("new_product_sales_pct", round(20+50*rng.Float64(), 1))
	r.set("new_product_profit_pct", round(20+55*rng.Float64(), 1))
	if rng.Float64() < 0.9 {
		r.set("export_earnings", round(logNormal(rng, 15000, 1.3), 1))
	}
	r.set("awards", float64(rng.IntN(4)))
	return r
}
