package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/exemplar/exemplar/internal/workflow"
)

// The site speaks Chinese (the default: the programs are Chinese) and
// English. A visitor's choice is kept in a cookie; without one the
// browser's Accept-Language decides.

// languageOf returns "zh" or "en" for r.
func languageOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}

// t returns the message key in the request's language; a missing key
// shows itself, so a test can find it.
func (r *request) t(key string) string { return message(r.lang, key) }

func message(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return "??" + key + "??"
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// pick returns zh or en by lang, falling back to the other when empty.
func pick(lang, zh, en string) string {
	if lang == "en" && en != "" || zh == "" {
		return en
	}
	return zh
}

// formatTime shows an instant in China's time zone (the programs'
// calendar), as each language writes it.
func formatTime(lang string, t time.Time) string {
	t = t.In(workflow.ChinaTime)
	if lang == "en" {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2006年1月2日 15:04")
}

// formatDate shows a calendar day.
func formatDate(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2006年1月2日")
}

// formatInt writes n with thousands separators (both languages use commas
// for figures).
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatAmount shows a sum of yuan as each language reads amounts: in
// Chinese by 万 and 亿 (1.23亿元), in English by thousands and millions
// (¥123.0 million).
func formatAmount(lang string, yuan float64) string {
	if math.IsNaN(yuan) || math.IsInf(yuan, 0) {
		return "—"
	}
	a := math.Abs(yuan)
	if lang == "en" {
		switch {
		case a >= 1e9:
			return fmt.Sprintf("¥%.2f billion", yuan/1e9)
		case a >= 1e6:
			return fmt.Sprintf("¥%.1f million", yuan/1e6)
		}
		return "¥" + formatInt(int64(math.Round(yuan)))
	}
	switch {
	case a >= 1e8:
		return fmt.Sprintf("%.2f亿元", yuan/1e8)
	case a >= 1e4:
		return fmt.Sprintf("%.1f万元", yuan/1e4)
	}
	return formatInt(int64(math.Round(yuan))) + "元"
}

// messages are the site's words: key → {Chinese, English}.
var messages = map[string][2]string{
	"site.name":               {"Exemplar 企业认定管理", "Exemplar recognition programs"},
	"site.tagline":            {"认定、复核评价与公告，一站完成", "Recognition, review and announcements in one place"},
	"nav.home":                {"首页", "Home"},
	"nav.announcements":       {"公告", "Announcements"},
	"nav.enterprise":          {"我的企业", "My enterprise"},
	"nav.recommender":         {"推荐工作", "Recommendations"},
	"nav.admin":               {"管理", "Administration"},
	"nav.account":             {"我的账户", "My account"},
	"nav.login":               {"登录", "Sign in"},
	"nav.logout":              {"退出", "Sign out"},
	"nav.language":            {"English", "中文"},
	"nav.skip":                {"跳到正文", "Skip to content"},
	"home.latest":             {"最新公告", "Latest announcements"},
	"home.all":                {"全部公告", "All announcements"},
	"ann.title":               {"公告", "Announcements"},
	"ann.none":                {"还没有发布任何公告。", "No announcement has been issued yet."},
	"ann.none_match":          {"没有符合条件的公告。", "No announcement matches."},
	"ann.issued":              {"发布时间", "Issued"},
	"ann.views":               {"浏览次数", "Views"},
	"ann.kind.news":           {"新闻", "News"},
	"ann.kind.results":        {"结果公告", "Results"},
	"ann.qr":                  {"用手机扫码阅读本页", "Scan to read this page on your phone"},
	"ann.draft":               {"草稿", "Draft"},
	"ann.back":                {"返回公告列表", "Back to the announcements"},
	"list.search":             {"搜索标题", "Search titles"},
	"list.search_button":      {"搜索", "Search"},
	"list.prev":               {"上一页", "Previous"},
	"list.next":               {"下一页", "Next"},
	"list.page":               {"第 %d / %d 页，共 %d 条", "Page %d of %d, %d in all"},
	"login.title":             {"登录", "Sign in"},
	"login.username":          {"用户名", "Username"},
	"login.password":          {"密码", "Password"},
	"login.submit":            {"登录", "Sign in"},
	"account.title":           {"我的账户", "My account"},
	"account.roles":           {"角色", "Roles"},
	"account.none":            {"没有角色：请联系管理员。", "No role yet: ask an administrator."},
	"role.admin":              {"管理员", "Administrator"},
	"role.recommender":        {"推荐单位", "Recommender"},
	"role.enterprise":         {"企业", "Enterprise"},
	"role.expert":             {"专家", "Expert"},
	"admin.ann.title":         {"公告管理", "Announcements"},
	"admin.ann.new":           {"撰写新闻公告", "Write a news announcement"},
	"admin.ann.create":        {"保存草稿", "Save draft"},
	"admin.ann.issue":         {"发布", "Issue"},
	"admin.ann.issue_confirm": {"确认发布？发布后公众即可看到，发布时间不可更改。", "Issue it? The public will see it at once, and its time of issue cannot change."},
	"admin.ann.issue_yes":     {"确认发布", "Yes, issue it"},
	"admin.ann.cancel":        {"取消", "Cancel"},
	"admin.ann.status":        {"状态", "Status"},
	"admin.ann.issued":        {"已发布", "Issued"},
	"admin.ann.title_zh":      {"中文标题", "Title (Chinese)"},
	"admin.ann.title_en":      {"英文标题", "Title (English)"},
	"admin.ann.body_zh":       {"中文正文", "Body (Chinese)"},
	"admin.ann.body_en":       {"英文正文", "Body (English)"},
	"admin.ann.saved":         {"草稿已保存。", "Draft saved."},
	"admin.ann.done":          {"公告已发布。", "The announcement is issued."},
	"error.title":             {"出错了", "Something went wrong"},
	"error.internal":          {"服务器内部错误，已记录在日志中，请稍后再试。", "An internal error occurred; it is in the server's log. Try again later."},
	"error.no_page":           {"没有这个页面。", "There is no such page."},
	"error.home":              {"返回首页", "Back to the home page"},
	"login.throttled":         {"登录失败次数过多，请 %d 秒后再试。", "Too many failed sign-ins: try again in %d seconds."},
	"common.required":         {"必填", "required"},
	"common.optional":         {"选填", "optional"},
	"notice.period":           {"公示期", "Notice period"},
	"notice.working_days":     {"%d 个工作日", "%d working days"},
	"notice.open":             {"公示期间，任何单位和个人对名单中的企业有异议的，可以实名提出。", "While the notice runs, anyone may object, under their own name, to the decision on a listed enterprise."},
	"notice.closed":           {"公示期已结束。", "The notice period is over."},
	"notice.see_results":      {"查看最终结果", "See the final results"},
	"notice.object":           {"提出异议", "Object"},
	"results.title":           {"最终结果", "Final results"},
	"results.notice":          {"公示名单", "The notice"},
	"decisions.search":        {"搜索企业名称或信用代码", "Search name or credit code"},
	"decisions.outcome":       {"结论", "Decision"},
	"decisions.all":           {"全部", "All"},
	"decisions.rank":          {"排名", "Rank"},
	"decisions.enterprise":    {"企业名称", "Enterprise"},
	"decisions.uscc":          {"统一社会信用代码", "Credit code"},
	"decisions.channel":       {"推荐单位", "Channel"},
	"decisions.score":         {"得分", "Score"},
	"decisions.reason":        {"理由", "Reason"},
	"decisions.none":          {"名单为空。", "The list is empty."},
	"decisions.none_match":    {"没有符合条件的企业。", "No enterprise matches."},
	"outcome.pass":            {"通过", "Pass"},
	"outcome.fail":            {"未通过", "Fail"},
	"objection.title":         {"提出异议", "File an objection"},
	"objection.concerns":      {"异议对象", "Concerning"},
	"objection.enterprise":    {"企业编号（名单中“提出异议”链接已填好）", "Enterprise number (filled in by the list's Object link)"},
	"objection.name":          {"异议人（个人或单位名称）", "Your name (a person or an organisation)"},
	"objection.contact":       {"联系方式（电话、地址或电子邮箱）", "How to reach you (phone, address or e-mail)"},
	"objection.grounds":       {"异议理由和证据", "Grounds and evidence"},
	"objection.privacy":       {"异议人信息仅用于核实和答复，不予公开。", "Your name and contact are used only to check and answer the objection; they are not published."},
	"objection.submit":        {"提交异议", "Submit the objection"},
	"objection.not_open":      {"该公示现在不受理异议。", "This notice is not taking objections now."},
	"objection.back":          {"返回公示名单", "Back to the notice"},
	"objection.filed":         {"异议已提交", "Objection filed"},
	"objection.filed_text":    {"您的异议已登记（编号 %d），处理结果将通过您留下的联系方式告知。", "Your objection is on record (number %d); you will hear the outcome through the contact you gave."},
	"register.title":          {"企业注册", "Register your enterprise"},
	"register.intro":          {"注册后即可在线申报、查看进度和提交年度报告。每家企业注册一个账户，其他人员由该账户或管理员添加。", "An account lets your enterprise apply, follow its applications and file its annual reports. One account per enterprise; its users or the administrator add more people."},
	"register.enterprise":     {"企业信息", "The enterprise"},
	"register.uscc":           {"统一社会信用代码", "Unified social credit code"},
	"register.uscc_hint":      {"18 位，见营业执照；最后一位是校验码。", "18 characters, on the business licence; the last is a check character."},
	"register.name":           {"企业名称（与营业执照一致）", "Name (as on the business licence)"},
	"register.channel":        {"推荐单位（所在省、计划单列市、兵团或中央企业）", "Recommending channel (province, city with separate planning status, the Corps, or central SOE)"},
	"register.user":           {"您的账户", "Your account"},
	"register.display_name":   {"您的姓名", "Your name"},
	"register.username_hint":  {"3–64 个小写字母、数字、点、下划线或连字符，以字母开头。", "3 to 64 lower-case letters, digits, dots, underscores or hyphens, starting with a letter."},
	"register.password_hint":  {"至少 12 个字符；可以是一句话。", "At least 12 characters; a phrase is fine."},
	"register.password2":      {"再次输入密码", "Password again"},
	"register.submit":         {"注册", "Register"},
	"register.have_account":   {"已有账户？", "Have an account?"},
	"register.mismatch":       {"两次输入的密码不一致。", "The two passwords differ."},
	"register.done":           {"注册成功，欢迎！", "Your enterprise is registered. Welcome!"},
	"nav.register":            {"企业注册", "Register"},
}
