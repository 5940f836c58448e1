//! The one i18n layer: every UI string has a Chinese and an English text side by side, checked
//! complete by the compiler. Two static tables, no runtime loading, nothing to download: the
//! browser bundle stays small and a missing translation is a build error, not a blank label.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>` and stored per account.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        match tag.trim() {
            "zh-CN" | "zh" | "zh-Hans" | "zh-cn" => Some(Locale::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Locale::En),
            _ => None,
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::ZhCn => &ZH,
            Locale::En => &EN,
        }
    }

    /// The name of the language in itself, for the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }
}

macro_rules! strings {
    ($($key:ident: $zh:literal, $en:literal;)*) => {
        /// Every UI string, by key.
        pub struct Strings { $(pub $key: &'static str,)* }
        static ZH: Strings = Strings { $($key: $zh,)* };
        static EN: Strings = Strings { $($key: $en,)* };
    };
}

strings! {
    app_name: "团干部直接联系青年", "Liaison";
    app_short: "联系青年", "Liaison";
    // sign in
    login_title: "登录", "Sign in";
    login_field: "手机号或用户名", "Phone number or username";
    password: "密码", "Password";
    show_password: "显示", "Show";
    hide_password: "隐藏", "Hide";
    sign_in: "登录", "Sign in";
    sign_out: "退出登录", "Sign out";
    demo_hint: "演示环境，密码均为 demo-liaison。可登录的账号：{accounts}", "Demo: every password is demo-liaison. Accounts that can sign in: {accounts}";
    forgot_password_hint: "忘记密码？请联系您所在团组织的上级团委或系统管理员重置；重置后请用新密码登录并及时修改。", "Forgot your password? Ask the League committee above you or the system administrator to reset it, then sign in with the new one and change it.";
    // navigation
    nav_today: "今天", "Today";
    nav_orgs: "组织", "Organisations";
    nav_users: "账号", "Accounts";
    nav_settings: "设置", "Settings";
    main_nav: "主导航", "Main navigation";
    quick_actions: "快捷操作", "Quick actions";
    // home
    welcome: "你好，{name}", "Hello, {name}";
    your_role: "角色", "Role";
    your_org: "所属组织", "Organisation";
    home_sysadmin_hint: "管理组织架构、团干部和分管领导账号、政策、日历和导入。", "Keep the organisation tree, the accounts of cadres and supervisors, the policy, the calendar and imports.";
    home_secadmin_hint: "管理安全策略、管理员账号和角色，解锁账号。", "Keep the security policy, the administrator accounts and roles, and unlock accounts.";
    home_auditor_hint: "查阅、导出和校验审计记录。", "Read, export and verify the audit trail.";
    home_cadre_hint: "本周的下基层、联系青年和季度建议将在这里显示。", "This week's visit day, youth contacts and quarterly suggestions will show here.";
    // roles and posts
    role_sysadmin: "系统管理员", "System administrator";
    role_secadmin: "安全管理员", "Security administrator";
    role_auditor: "审计员", "Auditor";
    role_supervisor: "分管领导", "Supervisor";
    role_cadre: "团干部", "League cadre";
    post_full_time: "专职", "Full-time";
    post_seconded: "挂职", "Seconded";
    post_part_time: "兼职", "Part-time";
    post_none: "无", "None";
    // organisation kinds
    kind_district: "区团委", "District committee";
    kind_working: "街道/园区团工委", "Street/park working committee";
    kind_school: "学校团委", "School league committee";
    kind_enterprise: "企业团支部", "Enterprise branch";
    kind_community: "社区团支部", "Community branch";
    kind_other: "其他基层团组织", "Other grassroots organisation";
    // organisations page
    orgs_title: "组织架构", "Organisation tree";
    org_new: "新建组织", "New organisation";
    org_name: "组织名称", "Name";
    org_kind: "类型", "Kind";
    org_parent: "上级组织", "Parent";
    org_create: "创建", "Create";
    org_rename: "改名", "Rename";
    org_new_name: "新名称", "New name";
    org_move: "移动", "Move";
    org_new_parent: "新的上级组织", "New parent";
    org_deactivate: "停用", "Deactivate";
    org_reactivate: "启用", "Reactivate";
    org_inactive: "已停用", "Inactive";
    org_manage: "管理", "Manage";
    confirm_deactivate: "确定停用？", "Deactivate it?";
    // accounts page
    users_title: "账号管理", "Accounts";
    user_new: "新建账号", "New account";
    user_name: "姓名", "Name";
    user_username: "用户名", "Username";
    user_phone: "手机号", "Phone number";
    user_role: "角色", "Role";
    user_org: "所属组织", "Organisation";
    user_post: "岗位", "Post";
    user_initial_password: "初始密码", "Initial password";
    user_create: "创建账号", "Create account";
    user_reset_password: "重置密码", "Reset password";
    user_new_password: "新密码", "New password";
    user_deactivate: "停用账号", "Deactivate account";
    user_inactive: "已停用", "Deactivated";
    user_locked: "已锁定", "Locked";
    user_unlock: "解锁", "Unlock";
    user_assign_role: "分配角色", "Assign a role";
    post_keep: "不变", "Unchanged";
    user_pairings: "联系点", "Paired organisations";
    user_pair: "添加联系点", "Pair with organisation";
    user_add_pairing: "管理联系点", "Pair with an organisation";
    user_pair_org: "基层团组织", "Grassroots organisation";
    user_unpair: "解除", "Unpair";
    user_no_pairings: "尚无联系点", "No paired organisations yet";
    // settings
    settings_title: "设置", "Settings";
    change_password: "修改密码", "Change password";
    current_password: "当前密码", "Current password";
    new_password: "新密码", "New password";
    confirm_password: "确认新密码", "Confirm new password";
    save: "保存", "Save";
    language: "语言", "Language";
    password_changed: "密码已修改", "Password changed";
    saved: "已保存", "Saved";
    // generic
    choose: "请选择", "Choose…";
    none_option: "（无）", "(none)";
    not_found_title: "页面不存在", "Page not found";
    not_found_body: "找不到该页面，或您无权查看。", "This page does not exist, or you may not see it.";
    back_to_page: "返回{page}", "Back to {page}";
    wechat_hint: "您正在微信中浏览，微信不能下载文件，也不能订阅日历。请点右上角「···」，选「在浏览器打开」，再点下面的链接。", "You are in WeChat, which cannot download files or subscribe to calendars. Tap ··· at the top right, choose Open in Browser, then tap the link below.";
    back_home: "返回首页", "Back to the start";
    // domain lists
    ch_face_to_face: "面对面", "Face to face";
    ch_phone: "电话", "Phone";
    ch_wechat: "微信/QQ", "WeChat/QQ";
    ch_activity: "活动", "Activity";
    ch_youth_voice: "青年之声平台", "Youth Voice platform";
    req_open: "待处理", "Open";
    req_in_progress: "处理中", "In progress";
    req_resolved: "已解决", "Resolved";
    sk_suggestion: "工作建议", "Work suggestion";
    sk_problem_solved: "解决困难", "Problem solved";
    ss_submitted: "已提交", "Submitted";
    ss_acknowledged: "已收到", "Acknowledged";
    ss_adopted: "已采纳", "Adopted";
    ss_resolved: "已解决", "Resolved";
    ss_declined: "未采纳", "Declined";
    ss_returned: "退回修改", "Returned for revision";
    ra_acknowledge: "已阅", "Acknowledge";
    ra_adopt: "采纳", "Adopt";
    ra_resolve: "已解决", "Resolved";
    ra_decline: "不采纳", "Decline";
    ra_return: "退回修改", "Return for revision";
    er_leave: "请假", "Leave";
    er_business_trip: "出差", "Business trip";
    er_training: "培训", "Training";
    er_other: "其他", "Other";
    es_pending: "待审批", "Pending";
    es_approved: "已批准", "Approved";
    es_declined: "未批准", "Declined";
    ls_pending: "待审核", "Pending";
    ls_approved: "已批准补录", "Approved";
    ls_declined: "未批准", "Declined";
    lk_contact: "联系青年", "Contact";
    lk_visit_day: "下基层", "Visit day";
    lk_study: "学习", "Study";
    lk_suggestion: "意见建议", "Suggestion";
    lk_leave: "请假", "Leave";
    la_create: "补录", "Add";
    la_update: "修改", "Change";
    la_delete: "删除", "Delete";
    so_open: "未审核", "Not approved";
    so_approved: "已审核", "Approved";
    so_accepted: "已审定", "Accepted";
    signoff_title: "季度审核", "Quarter sign-off";
    signoff_quarter: "季度", "Quarter";
    signoff_org: "组织", "Organisation";
    signoff_state: "状态", "State";
    signoff_by: "审核人", "Approved by";
    signoff_stamp: "{state} · {name} · {date}", "{state} · {name} · {date}";
    signoff_blocking: "尚未审核：{names}", "Still to approve: {names}";
    signoff_not_ended: "本季度尚未结束，结束后才能审核", "The quarter has not ended yet";
    signoff_approve: "审核通过", "Approve";
    signoff_comment: "审核意见", "Comment";
    signoff_reopen: "撤销审核", "Reopen";
    signoff_reopen_reason: "撤销原因", "Why reopen";
    signoff_reopen_confirm: "撤销后，该组织及其上级的本季度审核都将撤销，记录恢复可改。确定撤销吗？", "This reopens the quarter here and at every level above, and unlocks its records. Reopen?";
    signoff_changes: "审核后变更 {n} 项", "{n} changes since approval";
    signoff_frozen: "审核时的数据", "Figures as approved";
    signoff_none: "该季度没有需要审核的组织", "No organisation to approve for this quarter";
    signoff_children: "下级组织", "Below";
    signoff_locked_banner: "{quarter}已审核，该季度的记录已锁定；如需补录或修改，请提交补录申请。", "{quarter} is approved and its records are locked; file a late entry to add or change one.";
    signoff_remind_title: "{quarter}季度审核待完成", "{quarter} sign-off is waiting";
    signoff_remind_body: "{org}的{quarter}季度已结束 7 天，尚未审核。", "{quarter} ended a week ago and {org} has not approved it yet.";
    nav_signoff: "季度审核", "Sign-off";
    err_quarter_locked: "本季度已审核，如需补录请提交补录申请", "This quarter is approved: file a late entry to add or change its records";
    err_quarter_not_ended: "本季度尚未结束，不能审核", "The quarter has not ended: it cannot be approved yet";
    err_signoff_blocked: "下级组织尚未全部审核：{names}", "Organisations below are not all approved: {names}";
    err_signoff_done: "该季度已审核", "This quarter is already approved";
    err_signoff_open: "该季度尚未审核", "This quarter is not approved";
    err_signoff_reason: "请写明撤销原因", "Say why it is reopened";
    err_signoff_reopen_who: "只有审核人或上级组织可以撤销审核", "Only the approver or a level above can reopen";
    err_late_target_gone: "这条记录已不存在", "This record no longer exists";
    late_title: "补录申请", "Late entries";
    late_review_title: "补录审核", "Late entries to review";
    late_section: "补录申请（超过补记期限，或所在季度已审核）", "Late entry (past the logging window, or the quarter is approved)";
    late_check: "作为补录申请提交：分管领导批准后按原日期计入", "File as a late entry: counted on its date once a supervisor approves";
    late_reason: "补录原因", "Why it is late";
    late_filed: "补录申请已提交：分管领导批准后按原日期计入。", "Late entry filed: it counts on its date once a supervisor approves.";
    late_empty: "暂无补录申请", "No late entries";
    late_mark: "补录", "Late";
    late_mine: "我的补录申请", "My late entries";
    late_record_date: "记录日期", "Record date";
    late_filed_on: "{date} 提交", "Filed {date}";
    late_pending_n: "待审核补录 {n} 件", "{n} late entries to review";
    late_filter_pending: "待审核", "Pending";
    late_filter_all: "全部", "All";
    study_thematic: "专题学习", "Thematic study";
    study_youth: "青年大学习", "Youth Study";
    study_other: "其他", "Other";
    sector_student: "学生", "Student";
    sector_enterprise: "企业青年", "Enterprise youth";
    sector_new_employment: "新就业群体", "New forms of employment";
    sector_community: "社区青年", "Community youth";
    sector_migrant: "务工青年", "Migrant worker";
    sector_other: "其他", "Other";
    ps_league_member: "团员", "League member";
    ps_masses: "群众", "Non-member";
    ps_party_member: "党员", "Party member";
    gender_male: "男", "Male";
    gender_female: "女", "Female";
    // cadre navigation and actions
    nav_youth: "青年", "Youths";
    nav_visits: "下基层", "Visits";
    nav_suggestions: "建议", "Suggestions";
    nav_study: "学习", "Study";
    act_contact: "记联系", "Log contact";
    act_visit: "记下基层", "Log visit day";
    act_suggest: "提建议", "Suggest";
    act_study: "记学习", "Log study";
    saved_notice: "已保存", "Saved";
    cancel: "取消", "Cancel";
    edit: "修改", "Edit";
    delete: "删除", "Delete";
    confirm_delete: "确定删除？", "Delete it?";
    details: "详情", "Details";
    // today
    week_span: "本周（{from}–{to}）", "This week ({from} – {to})";
    day_month: "%-m月%-d日", "%-d %b";
    today_week: "本周下基层（4+1）", "This week's visit day (4+1)";
    week_logged: "已记录", "Logged";
    week_not_yet: "尚未记录", "Not yet";
    week_missing: "未完成", "Missed";
    week_upcoming: "未开始", "Not started";
    week_not_required: "本周不要求", "Not required this week";
    why_not_full_time: "非专职团干部", "not a full-time cadre";
    why_exempt: "请假/出差", "leave or travel";
    why_short_week: "工作日不足 3 天", "fewer than 3 working days";
    why_not_in_post: "尚未到岗", "not yet in post";
    // supervisors
    dashboard_title: "履职看板", "Compliance";
    nav_dashboard: "看板", "Dashboard";
    nav_review: "建议审核", "Reviews";
    nav_exemptions_review: "请假审批", "Leave";
    nav_late_review: "补录审核", "Late entries";
    nav_roster: "名单", "Rosters";
    nav_exports: "导出", "Exports";
    exports_title: "导出台账", "Export ledgers";
    export_new: "生成季度台账", "A quarter's ledgers";
    export_hint: "汇总、联系青年、下基层、建议、学习和请假台账，范围为所选组织及其下级。生成在后台进行，可以离开本页。", "Summary, contacts, visit days, suggestions, study and leave for the chosen organisation and everything below it. It runs in the background: you may leave this page.";
    pick_quarter: "季度", "Quarter";
    export_format: "格式", "Format";
    export_start: "开始生成", "Start";
    export_mine: "我的导出", "My exports";
    export_none: "还没有导出。", "No exports yet.";
    export_expires: "保留至 {date}", "kept until {date}";
    job_queued: "排队中", "Queued";
    job_running: "生成中", "Running";
    job_done: "已完成", "Done";
    job_failed: "生成失败，请重试", "Failed, please try again";
    export_rows: "{done} / {total} 行（{percent}%）", "{done} / {total} rows ({percent}%)";
    export_download: "下载", "Download";
    export_link: "导出台账", "Export ledgers";
    import_title: "导入青年名单", "Import youths";
    import_link: "导入名单", "Import youths";
    import_hint: "上传 Excel（.xlsx）或 CSV 文件（UTF-8 或 GBK 均可），每行一名青年，按手机号匹配：已有的更新，没有的新增。先预检，确认无误后再导入；有任何错误的文件不会导入任何一行。", "Upload an Excel (.xlsx) or CSV file (UTF-8 or GBK), one youth a row, matched by phone number: existing youths are updated, others added. Check first; a file with any bad row imports nothing.";
    import_file: "文件（最大 10 MB，5 万行）", "File (at most 10 MB, 50,000 rows)";
    import_check: "预检", "Check";
    import_template_xlsx: "下载 Excel 模板", "Excel template";
    import_template_csv: "下载 CSV 模板", "CSV template";
    import_report: "预检结果：{file}", "Check of {file}";
    import_counts: "共 {rows} 行：新增 {create} · 更新 {update} · 不变 {unchanged}", "{rows} rows: {create} new · {update} changed · {unchanged} unchanged";
    import_errors: "有问题的行（{n}）", "Rows with problems ({n})";
    import_duplicates: "重复（{n}）", "Duplicates ({n})";
    import_fix: "请修正以上问题后重新上传预检，本文件不会导入任何一行。", "Fix the rows above and check the file again: nothing of it will be imported.";
    import_apply: "导入（新增 {create}，更新 {update}）", "Import ({create} new, {update} changed)";
    import_nothing: "没有需要导入的变化。", "Nothing to change.";
    import_applied: "已导入：新增 {create}，更新 {update}，不变 {unchanged}。", "Imported: {create} new, {update} changed, {unchanged} unchanged.";
    col_line: "行", "Line";
    col_value: "填写的值", "Value";
    empty_cell: "（空）", "(empty)";
    col_column: "列", "Column";
    col_reason: "原因", "Reason";
    col_phone: "手机号", "Phone";
    nav_exemptions: "请假", "Leave";
    nav_policy: "政策", "Policy";
    nav_calendar: "日历", "Calendar";
    nav_reminders: "推送", "Reminders";
    nav_audit: "审计", "Audit";
    nav_import: "导入", "Import";
    nav_inbox: "提醒", "Inbox";
    inbox_title: "提醒", "Inbox";
    unread_badge: "{n} 条未读提醒", "{n} unread reminders";
    unread_count: "{n} 条未读", "{n} unread";
    mark_read: "标为已读", "Mark read";
    mark_all_read: "全部标为已读", "Mark all read";
    inbox_empty: "暂无提醒。到期前的事项会在这里提醒您。", "No reminders. Duties coming due are reminded here.";
    reminders_title: "提醒运行情况", "Reminder health";
    mail_configured: "邮件已配置：提醒同时通过邮件发送。", "Email is configured: reminders are mailed too.";
    mail_not_configured: "未配置邮件服务器：提醒只在站内显示。", "No mail server configured: reminders stay in the inbox.";
    instances_title: "运行实例", "Instances";
    col_instance: "实例", "Instance";
    col_last_tick: "最近运行", "Last tick";
    col_as_of: "按时间", "As of";
    col_made: "生成", "Made";
    col_sent: "已发送", "Sent";
    col_failed: "失败", "Failed";
    col_pending: "待发送", "Pending";
    col_kind: "类型", "Kind";
    no_instances: "还没有实例运行过提醒。", "No instance has run a tick yet.";
    kinds_title: "近 7 天", "Last 7 days";
    errors_title: "最近的发送错误", "Latest delivery errors";
    no_errors: "没有发送错误。", "No delivery errors.";
    retry_failed: "重试失败的邮件（{n}）", "Retry failed emails ({n})";
    notifications_title: "邮件提醒", "Email reminders";
    email_too_soon: "刚刚已向另一个邮箱发送了确认链接，请 10 分钟后再换邮箱", "A confirmation link went to another address just now: change the address again in 10 minutes";
    email_pending_tag: "待确认", "Pending";
    email_pending: "待确认：请打开发到这个邮箱的确认链接，确认后才会向它发送提醒", "Waiting for confirmation: open the link sent to this address; reminders go to it once confirmed";
    email_pending_old: "确认之前，提醒仍发到 {email}", "Until then, reminders still go to {email}";
    email_confirmed: "邮箱已确认，提醒会发到这个地址", "Address confirmed: reminders go to it";
    email_confirm_invalid: "确认链接无效或已过期，请在下面重新保存邮箱以获取新的链接", "This confirmation link is invalid or has expired: save the address below again to get a new one";
    email_confirm_subject: "请确认接收提醒的邮箱", "Confirm the address for reminders";
    email_confirm_text: "您在团干部直接联系青年管理系统中填写了这个邮箱，用于接收工作提醒。请在 {hours} 小时内打开下面的链接确认：\n\n{link}\n\n如果不是您本人操作，请忽略这封邮件，系统不会向这个邮箱发送提醒。", "This address was given for work reminders in Liaison. Open the link below within {hours} hours to confirm it:\n\n{link}\n\nIf it was not you, ignore this email: no reminders will be sent here.";
    email_confirm_html: "您在团干部直接联系青年管理系统中填写了这个邮箱，用于接收工作提醒。请在 {hours} 小时内打开下面的链接确认；如果不是您本人操作，请忽略这封邮件。", "This address was given for work reminders in Liaison. Open the link below within {hours} hours to confirm it; if it was not you, ignore this email.";
    email_label: "邮箱", "Email";
    notify_email_label: "通过邮件接收提醒（每天最多一封，上午 9 点）", "Email me reminders (one a day at most, at 09:00)";
    feed_title: "日历订阅", "Calendar subscription";
    calendar_hint: "在手机日历中订阅这个地址，下基层、建议和学习的截止时间会自动出现。地址是私密的，请勿分享。", "Subscribe to this address in your phone's calendar: visit days, suggestion and study deadlines appear by themselves. The address is private: do not share it.";
    calendar_subscribe: "添加到手机日历", "Add to my phone's calendar";
    calendar_regenerate: "重新生成地址（旧地址立即失效）", "New address (the old one stops working)";
    remind_button: "提醒", "Remind";
    reminded_at: "今天 {time} 已提醒", "Reminded today at {time}";
    last_reminded: "上次提醒 {time}", "Last reminded {time}";
    remind_title: "提醒这位团干部", "Remind this cadre";
    remind_hint: "站内提醒并发送邮件，写明当前未完成的事项；每天最多一次。", "An inbox item and an email naming what is missing; once a day.";
    pick_org: "组织", "Organisation";
    pick_period: "时段", "Period";
    pick_cadre: "团干部", "Cadre";
    show: "查看", "Show";
    tiles_label: "概况", "Overview";
    tile_cadres: "团干部", "Cadres";
    tile_overdue: "逾期青年", "Youths overdue";
    tile_weeks_missed: "未下基层周数", "Weeks missed";
    tile_suggestions_missing: "缺建议的联系点", "Orgs without a suggestion";
    rollup_title: "下级组织", "Organisations below";
    on_track: "{green} / {n} 正常", "{green} / {n} on track";
    own_cadres: "{org}（直属）", "{org} (directly)";
    trend_title: "近 13 周趋势", "The last 13 weeks";
    trend_green: "正常的团干部", "Cadres on track";
    trend_contacts: "联系覆盖（未逾期青年）", "Contact coverage (youths not overdue)";
    trend_coverage: "下基层完成率", "4+1 coverage";
    trend_y_axis: "占比", "Share";
    trend_x_axis: "周（周一日期）", "Week (its Monday)";
    trend_now: "本周", "This week";
    trend_now_note: "本周（{week}）进行中，结束后计入", "This week ({week}) is still running: it joins the chart when it ends";
    trend_table: "按周查看数值", "The figures, week by week";
    trend_week: "周", "Week";
    trend_label: "近 13 周趋势：上周正常的团干部 {green}，联系覆盖 {contacts}，下基层完成率 {coverage}", "The last 13 weeks: last week {green} of cadres on track, contact coverage {contacts}, 4+1 coverage {coverage}";
    cadre_table_title: "团干部（{n} 人）", "Cadres ({n})";
    filter_light: "按状态筛选", "Filter by light";
    col_name: "姓名", "Name";
    col_org: "组织", "Organisation";
    col_roster: "名单", "Roster";
    col_contacted: "本期已联系", "Contacted";
    col_overdue: "逾期", "Overdue";
    col_weeks: "下基层", "4+1";
    col_suggestions: "建议", "Suggestions";
    col_study: "学习（小时）", "Study (h)";
    col_light: "状态", "Status";
    no_cadres: "没有符合条件的团干部", "No cadres match";
    search_accounts: "姓名、用户名或手机号", "Name, username or phone";
    rk_visit_day: "下基层提醒", "Visit day";
    rk_contact_digest: "待联系青年", "Youths to contact";
    rk_suggestion_due: "季度建议提醒", "Quarterly suggestion";
    rk_study_due: "学习时长提醒", "Study hours";
    rk_supervisor_digest: "上周未完成情况", "Last week's misses";
    rk_remind: "上级提醒", "A reminder from your supervisor";
    rk_signoff_due: "季度审核待完成", "Quarter sign-off waiting";
    search_cadres: "姓名、用户名或组织", "Name, username or organisation";
    search_suggestions: "标题或团干部姓名", "Title or cadre's name";
    more_reasons: "另有 {n} 项", "{n} more";
    pages: "分页", "Pages";
    prev_page: "上一页", "Previous";
    next_page: "下一页", "Next";
    page_of: "第 {page} / {pages} 页", "Page {page} of {pages}";
    left_with_roster_title: "离岗未移交", "Left without a handover";
    left_with_roster: "{name} 已离岗，名下仍有 {n} 名青年", "{name} has left with {n} youths still on the roster";
    handover_action: "移交", "Hand over";
    inactive_account: "已停用", "inactive";
    pace_label: "进度", "Pace";
    pace_text: "已联系 {contacted}，时间已过 {elapsed}", "{contacted} contacted, {elapsed} of the period gone";
    no_offline_label: "今年无面对面联系", "No offline contact this year";
    weeks_figures: "已下 {covered} / 应下 {required}，未下 {missed}，请假 {exempt}", "{covered} of {required} covered, {missed} missed, {exempt} exempt";
    drill_weeks: "各周下基层", "Weeks";
    roster_of: "联系名单（{n} 人）", "Roster ({n})";
    recent_contacts: "最近联系", "Recent contacts";
    study_by_month: "每月学习", "Study by month";
    month_exempt: "全月请假，不计", "Away all month: not owed";
    assignment_history: "名单变动", "Roster changes";
    review_title: "建议审核", "Suggestion reviews";
    all_quarters: "全部季度", "All quarters";
    status_open_reviews: "待审核", "Waiting";
    matching_count: "共 {n} 条", "{n} in all";
    queue_empty: "暂无待处理事项", "Nothing waiting";
    review_action: "处理", "Action";
    review_comment: "意见", "Comment";
    review_submit: "提交", "Submit";
    revised_times: "已修改 {n} 次", "revised {n}×";
    revise_title: "修改后重新提交", "Revise and resubmit";
    revise_submit: "重新提交", "Resubmit";
    exemptions_title: "请假记录", "Leave and travel";
    exemption_new: "申请请假/出差", "Ask for leave or travel";
    exemption_submit: "提交申请", "Submit";
    exemption_hint: "可补报 {date} 以后的请假；批准后当周不计下基层，整月请假不计学习时长。", "Leave can be filed from {date}; approved weeks owe no visit day, a month away owes no study.";
    e_start: "开始日期", "From";
    e_end: "结束日期", "To";
    e_reason: "事由", "Reason";
    e_note: "说明", "Note";
    e_decision: "审批", "Decision";
    e_approve: "批准", "Approve";
    e_decline: "不批准", "Decline";
    no_exemptions: "暂无请假记录", "No leave recorded";
    exemption_review_title: "请假审批", "Leave requests";
    pending_count: "待审批（{n}）", "Waiting ({n})";
    recent_decisions: "最近审批", "Recent decisions";
    roster_admin_title: "名单管理", "Rosters";
    unassigned_youths: "未分配的青年", "Unassigned youths";
    too_many_cadres: "该组织团干部太多，请先选择下级组织", "Too many cadres here: pick an organisation below first";
    unassigned_count: "未分配的青年（{n} 人）", "Unassigned youths ({n})";
    roster_of_cadre: "{name} 的名单（{n} 人）", "{name}'s roster ({n})";
    move_to: "调整给", "Move to";
    reassign_submit: "调整选中的青年", "Move the selected youths";
    handover_title: "整体移交 {name} 的名单", "Hand {name}'s roster over";
    successor: "接收人", "Successor";
    effective_on: "生效日期", "Effective on";
    handover_pairings: "联系点一并移交", "Hand the paired organisations over too";
    handover_deactivate: "同时停用离岗账号", "Deactivate the leaving account";
    preview: "预览", "Preview";
    will_deactivate: "{name} 的账号将被停用", "{name}'s account will be deactivated";
    handover_confirm: "确认移交", "Confirm the handover";
    policy_title: "政策参数", "Policy";
    policy_contacts: "1+100 联系青年", "1+100 contacts";
    policy_visits: "4+1 下基层", "4+1 visit days";
    policy_suggestions_study: "季度建议与学习", "Suggestions and study";
    p_roster_target: "每名团干部联系青年人数", "Youths per cadre";
    p_contact_due_days: "多少天未联系为待联系", "Days until a contact is due";
    p_contact_overdue_days: "多少天未联系为逾期", "Days until a contact is overdue";
    p_offline_contacts: "每名青年每年至少面对面联系一次", "Meet each youth face to face once a year";
    p_required_yes: "要求", "Required";
    p_required_no: "不要求", "Not required";
    confirm_delete_day: "删除 {day}（{name}）？删除后这一天按平常的工作日或周末计算。", "Delete {day} ({name})? The day then counts as an ordinary working day or weekend.";
    p_visit_days: "每周下基层天数", "Visit days a week";
    p_late_entry: "下基层可补记天数", "Days a visit day may be logged late";
    p_contact_late_entry: "联系记录可补记天数", "Days a contact may be logged late";
    p_min_working_days: "一周至少几个工作日才要求下基层", "Working days a week needs to require a visit";
    p_suggestions: "每个联系点每季度建议数", "Suggestions per paired organisation a quarter";
    p_study_hours: "每月学习小时数", "Study hours a month";
    p_effective_from: "从何时起", "From when";
    p_effective_hint: "留空为今天。已结束的周、月和季度仍按当时的规定评判。", "Blank: today. Closed weeks, months and quarters stay judged by the policy of their time.";
    err_policy_past: "不能早于今天：已结束的周、月和季度按当时的规定评判", "Cannot be before today: closed weeks, months and quarters keep the policy of their time";
    err_policy_far: "最多提前一年设定", "At most a year ahead";
    policy_history: "变更记录", "History";
    policy_in_force: "现行规定自 {date} 起执行", "In force since {date}";
    policy_scheduled: "已定于 {date} 起执行", "Takes effect on {date}";
    policy_original: "初始设置", "Initial values";
    calendar_title: "工作日历", "Work calendar";
    calendar_days: "节假日与调休", "Holidays and adjusted working days";
    calendar_empty: "该年尚无节假日安排，请在国务院办公厅通知发布后添加", "No schedule for this year yet: add it when the State Council publishes it";
    calendar_add: "添加日期", "Add a day";
    weekdays: "周一,周二,周三,周四,周五,周六,周日", "Mon,Tue,Wed,Thu,Fri,Sat,Sun";
    cal_day: "日期", "Date";
    cal_kind: "类型", "Kind";
    cal_name: "名称", "Name";
    cal_holiday: "放假", "Holiday";
    cal_workday: "调休上班", "Working day";
    // compliance
    light_green: "正常", "On track";
    light_yellow: "需关注", "Attention";
    light_red: "未完成", "Missed";
    period_week: "{year} 年第 {week} 周", "Week {week}, {year}";
    period_month: "{year} 年 {month} 月", "{month}/{year}";
    period_quarter: "{year} 年第 {q} 季度", "Q{q} {year}";
    why_contact_overdue: "{n} 名青年逾期未联系", "{n} youths overdue for contact";
    why_contact_due: "{n} 名青年待联系", "{n} youths due for contact";
    why_roster_short: "联系名单差 {n} 人", "Roster {n} short of the target";
    why_behind_pace: "联系进度落后 {n} 个百分点", "Contacts {n} points behind pace";
    why_visit_missed: "{n} 周未下基层", "{n} weeks without a visit day";
    why_visit_due_soon: "本周尚未下基层", "This week's visit day not logged yet";
    why_suggestion_missed: "{n} 个联系点本季度未提建议", "{n} paired organisations without a suggestion this quarter";
    why_suggestion_due_soon: "{n} 个联系点尚未提建议，季度将结束", "{n} paired organisations still without a suggestion, quarter ending";
    why_study_missed: "学习时长差 {n} 小时", "Study {n} hours short";
    why_study_due_soon: "本月学习还差 {n} 小时", "Study {n} hours short this month";
    today_contacts: "联系青年（1+100）", "Youth contacts (1+100)";
    roster_count: "名单 {n}/{target} 人", "Roster {n}/{target}";
    due_count: "待联系 {n} 人", "{n} due";
    overdue_count: "已逾期 {n} 人", "{n} overdue";
    all_contacted: "所有青年都在联系周期内", "Every youth is within the contact interval";
    today_suggestions: "本季度建议（{quarter}，剩 {days} 天）", "This quarter's suggestions ({quarter}, {days} days left)";
    suggestion_done: "已提交", "Submitted";
    suggestion_missing: "未提交", "Not yet";
    no_pairings: "尚无联系点，请联系管理员", "No paired organisations yet; ask an admin";
    today_study: "本月学习", "Study this month";
    hours_of: "{h} / {target} 小时", "{h} / {target} hours";
    study_cell: "{m}月 {h}/{target}", "month {m}: {h}/{target}";
    see_all: "查看全部", "See all";
    // roster
    roster_title: "我的青年", "My youths";
    filter_all: "全部", "All";
    filter_due: "待联系", "Due";
    filter_overdue: "已逾期", "Overdue";
    filter_never: "从未联系", "Never contacted";
    search_name: "按姓名搜索", "Search by name";
    search: "搜索", "Search";
    add_youth: "添加青年", "Add youth";
    edit_youth: "修改青年信息", "Edit youth";
    no_youths: "没有符合条件的青年", "No youths match";
    days_ago: "{n} 天未联系", "{n} days without contact";
    never_contacted: "从未联系", "never contacted";
    line_open: "仍待处理", "still to do";
    line_done: "已完成", "done";
    line_closed: "已截止", "closed";
    never_contacted_days: "从未联系（分配 {n} 天）", "never contacted (assigned {n} days ago)";
    newly_assigned: "新分配（{n} 天）", "newly assigned ({n} days ago)";
    assigned_today: "今日新分配", "assigned today";
    last_contact: "上次联系 {date}", "Last contact {date}";
    status_ok: "正常", "OK";
    status_due: "待联系", "Due";
    status_overdue: "已逾期", "Overdue";
    // youth fields
    y_name: "姓名", "Name";
    y_gender: "性别", "Gender";
    y_birth_year: "出生年份", "Birth year";
    y_phone: "手机号", "Phone number";
    y_wechat: "微信号", "WeChat ID";
    y_org: "所属组织", "Organisation";
    y_workplace: "单位/学校", "Workplace or school";
    y_sector: "领域", "Sector";
    paired_org_option: "{org}（我的联系点）", "{org} (paired with you)";
    err_phone_on_roster: "这个手机号已登记为您名单上的 {name}：一个手机号只对应一名青年，请直接修改该青年的资料", "This number is already {name}'s, on your roster: one youth per number, so edit that youth instead";
    err_phone_elsewhere: "这个手机号已登记为另一名青年（在其他团干部名单上）：一个手机号只对应一名青年，如需调整请联系上级团组织", "This number already belongs to a youth on another cadre's roster: one youth per number; ask the organisation above you to move them";
    y_political: "政治面貌", "Political status";
    y_tags: "标签", "Tags";
    y_notes: "备注", "Notes";
    y_assigned: "分配日期", "Assigned on";
    // personal information (PIPL)
    y_birth_month: "出生月份", "Birth month";
    y_basis: "处理依据", "Processing basis";
    basis_consent: "本人同意", "Consent of the youth";
    basis_duty: "履行法定职责或义务", "Statutory duties";
    y_notice: "个人信息处理告知", "Privacy notice";
    y_notice_shown: "登记时已向青年出示第 {v} 版个人信息处理告知（点开查看全文）", "Privacy notice version {v} shown to the youth on recording (open to read it)";
    y_notice_on_record: "已出示第 {v} 版告知", "Notice version {v} shown";
    y_notice_none: "登记时本系统尚无告知版本", "Recorded before notices were kept";
    y_guardian: "监护人同意（未满14周岁时必填）", "Guardian's consent (needed under 14)";
    y_guardian_name: "监护人姓名", "Guardian's name";
    y_guardian_relation: "与青年关系", "Relationship";
    y_guardian_consent_on: "监护人同意日期", "Date of the guardian's consent";
    gr_father: "父亲", "Father";
    gr_mother: "母亲", "Mother";
    gr_guardian: "其他监护人", "Other guardian";
    minor_badge: "未满14岁", "Under 14";
    minor_hint: "未满14周岁：已有监护人同意", "Under 14: the guardian's consent is on record";
    err_birth_month_needed: "{year}年出生的青年今年满14周岁，是否已满要看月份：请填写出生月份", "Born in {year}, the youth turns 14 this year: the month decides, so please give the birth month";
    err_guardian_required: "未满14周岁的青年须经监护人同意后才能登记：请填写此项", "A youth under 14 may be recorded only with a guardian's consent: please fill this in";
    imp_birth_month: "出生月份“{value}”无效：请填写1到12", "Birth month “{value}” is not valid: 1 to 12";
    imp_guardian_required: "未满14周岁的青年须经监护人同意后才能登记：请填写监护人姓名、关系和同意日期", "A youth under 14 may be recorded only with a guardian's consent: give the guardian's name, relationship and the date of consent";
    imp_consent_date: "监护人同意日期无效：请填写不晚于今天的日期，如 2026-11-30", "The date of the guardian's consent is not valid: a date not after today, such as 2026-11-30";
    imp_withdrawn: "该青年已撤回同意：不再登记其任何信息，这一行不会导入", "This youth has withdrawn consent: nothing new is recorded about them, so this row is not imported";
    err_notice_race: "刚有另一版告知同时发布：请刷新页面查看后再发布", "Another version was published at the same moment: reload the page and look before publishing";
    err_pi_held: "该青年处于依法保留状态，不能删除：可拒绝请求并写明理由", "This youth is under a legal hold and cannot be deleted: refuse the request with the reason";
    err_already_withdrawn: "该青年已撤回同意", "This youth has already withdrawn consent";
    withdraw_title: "撤回同意", "Withdrawal of consent";
    withdraw_hint: "青年撤回同意后，将离开所有联系名单，不再记录其任何信息；已有信息按保存期限到期后匿名化。", "Once consent is withdrawn the youth leaves every roster and nothing new is recorded; what is held is anonymised when the retention period ends.";
    withdraw_on: "撤回日期", "Withdrawn on";
    withdraw_button: "记录撤回同意", "Record the withdrawal";
    withdrawn_done: "已记录撤回同意：该青年已离开名单", "Withdrawal recorded: the youth has left the roster";
    // revealing a masked number
    reveal_button: "查看完整号码", "Show the full number";
    reveal_reason: "查看原因（将记入审计日志）", "Why (kept in the audit trail)";
    reveal_field: "查看内容", "Show";
    rf_phone: "手机号", "Phone number";
    rf_wechat: "微信号", "WeChat ID";
    reveal_submit: "查看", "Show";
    reveal_shown: "完整号码（已记录本次查看）", "Full number (this view is recorded)";
    err_reveal_reason: "请写明查看原因（至少2个字）", "Please give a reason (2 characters at least)";
    err_reveal_script: "查看完整号码需要浏览器启用 JavaScript：请换用支持的浏览器后再试（本次未查看、未记录）", "Showing a full number needs JavaScript in the browser: please try again in one that runs it (nothing was shown or recorded)";
    err_reveal_nothing: "该青年没有登记此项", "This youth has not given it";
    // /admin/privacy
    privacy_title: "个人信息保护", "Personal information";
    privacy_settings: "处理规则", "Rules";
    privacy_default_basis: "默认处理依据（新登记青年）", "Default basis (for youths recorded from now on)";
    privacy_retention: "保存期限（不在任何名单上满几年后匿名化）", "Retention (years on no roster before anonymisation)";
    privacy_last_sweep: "最近一次按保存期限匿名化：{day}，{n} 名青年", "Last retention sweep: {day}, {n} youths anonymised";
    nav_privacy: "隐私", "Privacy";
    nav_pi_requests: "权利请求", "Rights requests";
    privacy_saved: "已保存", "Saved";
    privacy_notices: "个人信息处理告知", "Privacy notices";
    privacy_notice_version: "第 {v} 版", "Version {v}";
    privacy_notice_current: "现行", "In force";
    privacy_notice_new: "发布新版告知", "Publish a new version";
    privacy_notice_body: "告知全文", "Text of the notice";
    privacy_notice_hint: "新版本发布后，此后登记的青年将看到新版本；已登记青年的记录保留当时出示的版本。", "Youths recorded after publication see the new version; those already recorded keep the version they were shown.";
    privacy_notice_publish: "发布", "Publish";
    privacy_holds: "依法保留（暂停匿名化）", "Legal holds";
    privacy_hold_youth: "青年编号", "Youth number";
    privacy_hold_reason: "保留原因", "Reason";
    privacy_hold_set: "设置保留", "Set the hold";
    privacy_hold_release: "解除", "Release";
    privacy_hold_none: "目前没有依法保留的青年", "No youth is under a legal hold";
    privacy_hold_hint: "被依法保留的青年不会被保存期限自动匿名化。", "The retention rule leaves youths under a legal hold alone.";
    err_hold_reason: "请写明保留原因", "Please give the reason";
    // /admin/pi-requests
    pi_title: "个人信息权利请求", "Rights requests";
    pi_new: "登记请求", "Record a request";
    pi_youth: "青年", "Youth";
    pi_find: "查找青年（姓名或手机号）", "Find the youth (name or phone number)";
    pi_find_button: "查找", "Find";
    pi_found_none: "没有找到", "No one found";
    pi_kind: "请求类型", "Kind";
    pik_copy: "查阅复制", "Access and copy";
    pik_correct: "更正", "Correction";
    pik_delete: "删除", "Deletion";
    pik_withdraw: "撤回同意", "Withdrawal of consent";
    pi_received_on: "收到日期", "Received on";
    pi_due_on: "答复期限", "Due";
    pi_note: "请求内容", "What was asked";
    pi_status: "状态", "Status";
    pis_open: "待处理", "Open";
    pis_done: "已办结", "Done";
    pis_refused: "已拒绝", "Refused";
    pi_overdue: "已超期", "Overdue";
    pi_due_in: "{n} 天后到期", "Due in {n} days";
    pi_filter_all: "全部", "All";
    pi_none: "没有请求", "No requests";
    pi_act: "处理", "Act";
    pia_copy: "提供副本", "Provide a copy";
    pia_correct: "更正", "Correct";
    pia_anonymise: "删除（匿名化）", "Delete (anonymise)";
    pia_refuse: "拒绝", "Refuse";
    pi_comment: "说明（拒绝时写明理由）", "Comment (the reason, for a refusal)";
    pi_copy_json: "下载副本（JSON）", "Download the copy (JSON)";
    pi_copy_xlsx: "下载副本（Excel）", "Download the copy (Excel)";
    pi_correct_hint: "只填写需要更正的项目，留空的保持不变。", "Fill in only what is corrected; what is left empty stays.";
    pi_anonymise_hint: "匿名化后无法恢复：姓名、手机号、微信号、单位、出生年月、标签、备注被清除；联系记录保留日期、方式和团干部，清除内容。", "Anonymisation cannot be undone: name, phone, WeChat ID, workplace, birth year and month, tags and notes are erased; contacts keep their date, channel and cadre and lose their content.";
    pi_acted: "已处理：{action}", "Done: {action}";
    pi_saved: "已登记请求", "Request recorded";
    err_pi_refuse_reason: "拒绝请求须写明理由", "A refusal needs its reason";
    err_pi_closed: "这个请求已处理完毕", "This request has been dealt with";
    err_pi_action_kind: "这个操作不适用于此类请求", "This action does not fit this kind of request";
    err_pi_anonymised: "该青年的信息已匿名化", "This youth's information has been anonymised";
    err_nothing_to_correct: "请至少填写一项更正", "Please give at least one correction";
    // contacts
    contact_title: "记联系", "Log a contact";
    next_due: "下一位待联系", "Next to contact";
    next_due_action: "记录下一位", "Log the next one";
    contact_history: "联系记录", "Contact history";
    no_contacts: "还没有联系记录", "No contacts yet";
    c_youth: "青年", "Youth";
    c_date: "日期", "Date";
    c_channel: "方式", "Channel";
    c_content: "内容", "Content";
    c_request: "诉求", "Request";
    c_duration: "时长（分钟）", "Duration (minutes)";
    c_online: "线上", "online";
    c_offline: "线下", "offline";
    c_by: "记录人", "Logged by";
    pick_youth: "选择青年", "Choose a youth";
    pick_hint: "最久未联系的排在前面", "Longest without contact first";
    open_requests: "未解决的诉求", "Open requests";
    no_open_requests: "名单上的青年没有未解决的诉求。", "No open requests on your roster.";
    open_requests_count: "共 {n} 件，最早的在前", "{n}, oldest first";
    request_status: "处理状态", "Status";
    resolution: "解决情况", "How it was resolved";
    update_status: "更新状态", "Update";
    edit_contact: "修改联系记录", "Edit contact";
    // visits
    visits_title: "下基层工作日", "Visit days";
    visit_new: "记下基层", "Log a visit day";
    v_date: "日期", "Date";
    v_org: "组织", "Organisation";
    v_hours: "时长（小时）", "Hours";
    v_work: "工作内容", "Work done";
    v_outcomes: "工作成效", "Outcomes";
    v_late_hint: "可补记 {days} 天内的工作日", "Days up to {days} back can be logged";
    weeks_title: "本季度每周情况（{quarter}）", "Weeks of {quarter}";
    week_range: "第 {week} 周 {from}–{to}", "Week {week}, {from}–{to}";
    visits_list: "已记录的工作日", "Logged visit days";
    no_visits: "本季度还没有记录", "None logged this quarter";
    visit_detail: "下基层工作日", "Visit day";
    // suggestions
    suggestions_title: "季度建议", "Quarterly suggestions";
    suggestion_new: "提建议", "Make a suggestion";
    s_org: "组织", "Organisation";
    s_quarter: "季度", "Quarter";
    s_kind: "类型", "Kind";
    s_title: "标题", "Title";
    s_content: "内容", "Content";
    s_status: "审核状态", "Review";
    s_comment: "审核意见", "Reviewer's comment";
    quarter_label: "{year} 年第 {q} 季度", "Q{q} {year}";
    no_suggestions: "还没有建议", "No suggestions yet";
    coverage_title: "本季度各联系点", "Paired organisations this quarter";
    // study
    study_title: "学习记录", "Study";
    study_new: "记学习", "Log study";
    st_date: "日期", "Date";
    st_hours: "时长（小时）", "Hours";
    st_topic: "主题", "Topic";
    st_kind: "类型", "Kind";
    study_month: "本月已学 {h} 小时，目标 {target} 小时", "{h} of {target} hours this month";
    study_history: "往月", "Earlier months";
    no_study: "本月还没有学习记录", "Nothing logged this month";
    month_label: "{year} 年 {month} 月", "{month}/{year}";
    // errors
    err_required: "请填写此项", "Please fill this in";
    err_too_long: "最多 {max} 个字", "At most {max} characters";
    err_invalid_choice: "请从列表中选择", "Please choose from the list";
    err_invalid_phone: "请输入 11 位手机号", "Enter an 11-digit mobile number";
    err_invalid_username: "用户名只能包含字母、数字、下划线，3 到 30 位，且不能全是数字", "Username: 3 to 30 letters, digits or underscores, not digits only";
    err_username_taken: "该用户名已被使用", "This username is taken";
    err_phone_taken: "该手机号已被使用", "This phone number is taken";
    err_password_short: "密码至少 {min} 位", "At least {min} characters";
    err_password_classes: "密码须包含小写字母、大写字母、数字、其他字符中的至少 {n} 类", "Use at least {n} of: lower-case letters, capitals, digits, other characters";
    err_password_reused: "不能使用最近 {n} 次用过的密码", "You cannot reuse any of your last {n} passwords";
    password_expired_banner: "您的密码已过期，请修改密码后继续使用。", "Your password has expired: change it to go on.";
    password_expired_link: "修改密码", "Change password";
    security_title: "安全策略", "Security policy";
    security_updated: "{at} 由 {who} 修改", "Changed {at} by {who}";
    security_passwords: "密码", "Passwords";
    security_lockout: "登录失败锁定", "Lockout after failed sign-ins";
    security_idle: "会话超时（分钟）", "Idle timeouts (minutes)";
    security_second_factor: "双因素认证", "Second factor";
    sec_min_length: "最短长度", "Least length";
    sec_char_classes: "至少包含的字符类别数（1–4）", "Character classes required (1–4)";
    sec_char_classes_hint: "小写字母、大写字母、数字、其他字符各为一类。", "Lower-case letters, capitals, digits and other characters are one class each.";
    sec_expiry_days: "密码有效期（天，0 为不过期）", "Password expiry (days, 0: never)";
    sec_history: "不得重复使用最近几次的密码", "Earlier passwords that may not come back";
    sec_lockout_attempts: "连续失败几次后锁定", "Failures in a row that lock";
    sec_lockout_minutes: "首次锁定时长（分钟，之后每次加倍）", "First lock (minutes, doubling after)";
    sec_idle_admin: "管理员", "Administrators";
    sec_idle_supervisor: "分管领导", "Supervisors";
    sec_idle_cadre: "团干部", "Cadres";
    sec_totp_admins: "管理员须使用双因素认证", "Administrators need a second factor";
    sec_totp_supervisors: "分管领导须使用双因素认证", "Supervisors need a second factor";
    sec_totp_everyone: "所有人须使用双因素认证", "Everyone needs a second factor";
    nav_security: "安全策略", "Security";
    err_totp_code: "验证码不正确或已用过，请输入验证器中当前显示的 6 位数字", "That code is wrong or already used: type the 6 digits your authenticator shows now";
    totp_already_on: "已开启双因素认证；如需更换手机，请联系安全管理员重置", "A second factor is already on; to move it to another phone, ask the security administrator to reset it";
    totp_not_begun: "请先点“开启双因素认证”，再输入验证码", "Start setting up the second factor first, then type the code";
    totp_title: "双因素认证", "Second factor";
    totp_intro: "登录时除密码外，还需输入手机验证器（如微信小程序“腾讯身份验证器”、Google Authenticator、Microsoft Authenticator）中的 6 位动态码。", "Signing in asks, besides the password, for the 6-digit code of an authenticator app on your phone (such as Google Authenticator or Microsoft Authenticator).";
    totp_start: "开启双因素认证", "Set up a second factor";
    totp_scan: "用验证器扫描二维码，或手动输入下方密钥，然后输入验证器显示的 6 位数字。", "Scan the QR code with your authenticator app, or type in the key below, then enter the 6 digits it shows.";
    totp_secret_label: "密钥", "Key";
    totp_open_app: "在本机验证器中打开", "Open in an authenticator on this phone";
    totp_code_label: "6 位验证码", "6-digit code";
    totp_confirm: "确认开启", "Turn on";
    totp_restart: "重新生成二维码", "New QR code";
    totp_on: "双因素认证已开启：登录时需输入验证码。", "The second factor is on: signing in asks for a code.";
    totp_recovery_left: "剩余恢复码：{n} 个", "Recovery codes left: {n}";
    totp_recovery_title: "恢复码（只显示这一次）", "Recovery codes (shown this once)";
    totp_recovery_hint: "请抄下或截图保存。手机丢失时，每个恢复码可代替验证码登录一次。", "Write them down or keep a screenshot. If you lose your phone, each one signs you in once instead of a code.";
    totp_required: "安全策略要求你开启双因素认证，开启后才能使用其他功能。", "The security policy asks you to set up a second factor; everything else opens once you have.";
    factor_missing_banner: "安全策略要求开启双因素认证。", "The security policy asks for a second factor.";
    factor_missing_link: "立即开启", "Set it up";
    login_totp_title: "输入验证码", "Enter your code";
    login_totp_hint: "打开手机上的验证器，输入“Liaison”下显示的 6 位数字。", "Open your authenticator app and type the 6 digits shown under “Liaison”.";
    recovery_code_label: "恢复码", "Recovery code";
    use_recovery_code: "手机不在身边？使用恢复码", "No phone at hand? Use a recovery code";
    login_totp_again: "重新输入密码", "Sign in again";
    user_totp_on: "已开启双因素", "Second factor on";
    user_totp_reset: "重置双因素认证", "Reset second factor";
    user_totp_reset_confirm: "重置后，该账号下次登录只需密码（若策略要求，须重新开启）。确定重置？", "After a reset the account signs in with its password alone (and sets up a new factor if the policy asks). Reset?";
    err_totp_self_first: "请先在“设置”中为自己开启双因素认证，再要求管理员使用", "Set up your own second factor in Settings first, then require one of administrators";
    err_self_totp_reset: "不能重置自己的双因素认证", "You cannot reset your own second factor";
    err_password_long: "密码最多 {max} 位", "At most {max} characters";
    err_password_common: "这个密码太常见，容易被猜中，请换一个", "This password is too common and easy to guess; choose another";
    err_password_personal: "密码不能包含姓名、用户名、手机号或系统名称", "The password may not contain the name, username, phone number or the app's name";
    err_self_reset: "请在“设置”中修改自己的密码", "Change your own password in Settings";
    err_invalid_characters: "含有不允许的控制字符", "Contains control characters that are not allowed";
    err_request_reused: "此表单已提交过其他内容，请刷新页面后重新填写", "This form was already sent with other content; reload the page and fill it in again";
    err_bad_request: "请求格式不正确，请刷新页面后重试", "The request could not be read; reload the page and try again";
    err_too_large: "提交的内容太大（最多 {max}）", "What you sent is too large (at most {max})";
    err_password_mismatch: "两次输入的密码不一致", "The two passwords differ";
    err_wrong_password: "当前密码不正确", "The current password is wrong";
    err_bad_credentials: "账号或密码错误", "Wrong account or password";
    err_throttled: "尝试次数过多，请 {secs} 秒后再试", "Too many attempts; try again in {secs} s";
    err_throttled_minutes: "尝试次数过多，账号已锁定，请 {min} 分钟后再试，或请安全管理员解锁", "Too many attempts: the account is locked. Try again in {min} minutes, or ask the security administrator to unlock it";
    err_cycle: "不能移到自己或下级组织之下", "Cannot move under itself or one of its descendants";
    err_parent_inactive: "上级组织已停用", "The parent organisation is inactive";
    err_not_grassroots: "只能选择基层团组织", "Choose a grassroots organisation";
    err_already_paired: "已是该团干部的联系点", "Already paired with this cadre";
    err_not_cadre: "只有团干部可以设置联系点", "Only cadres have paired organisations";
    err_root_immovable: "区团委和您自己所在的组织不能在此更名、移动或停用", "The district committee and your own organisation cannot be renamed, moved or deactivated here";
    err_has_active_children: "请先停用其下级组织", "Deactivate its child organisations first";
    err_self_deactivate: "不能停用自己的账号", "You cannot deactivate your own account";
    err_self_role: "不能更改自己的角色", "You cannot change your own role";
    err_invalid_request: "表单已过期，请刷新后重试", "This form has expired; reload and retry";
    err_invalid_date: "请输入有效日期", "Enter a valid date";
    err_date_order: "结束日期不能早于开始日期", "The end date cannot come before the start date";
    err_audit_object: "对象格式为“类型”或“类型:编号”，例如 account:12", "An object is a kind or kind:id, e.g. account:12";
    audit_title: "审计记录", "Audit trail";
    audit_actor: "操作人（用户名）", "Actor (username)";
    audit_event: "事件", "Event";
    audit_object: "对象", "Object";
    audit_result: "结果", "Result";
    audit_from: "开始日期", "From";
    audit_to: "结束日期", "To";
    audit_filter: "筛选", "Filter";
    audit_export_csv: "导出 CSV", "Export CSV";
    audit_none: "没有符合条件的记录", "No rows match";
    audit_success: "成功", "Success";
    audit_failure: "失败", "Failure";
    audit_any: "全部", "Any";
    audit_verify: "校验完整性", "Verify integrity";
    audit_verify_hint: "逐行核对哈希链：任何一行被修改、删除或插入都会被发现。", "Walks the hash chain row by row: any row changed, removed or slipped in shows.";
    audit_chain_ok: "完整：已核对 {n} 行，未发现篡改", "Intact: {n} rows checked, nothing tampered with";
    audit_chain_broken: "发现篡改：{what}", "Tampering found: {what}";
    audit_page_of: "第 {page} 页", "Page {page}";
    audit_newer: "较新", "Newer";
    audit_older: "较早", "Older";
    col_at: "时间", "Time";
    col_ip: "地址", "Address";
    col_details: "详情", "Details";
    err_hours_range: "请输入 {min} 到 {max} 之间的小时数（可含半小时）", "Enter {min} to {max} hours (half hours allowed)";
    err_number_range: "请输入 {min} 到 {max} 之间的整数", "Enter a whole number from {min} to {max}";
    err_date_future: "不能晚于今天", "Cannot be after today";
    err_date_too_late: "超过 {days} 天的补记需提交补录申请：勾选下方“补录申请”并写明原因", "Entries older than {days} days are filed as a late entry: tick “Late entry” below and say why";
    err_date_too_old: "日期太早", "This date is too far back";
    err_contact_too_late: "超过 {days} 天的联系需提交补录申请：勾选下方“补录申请”并写明原因", "Contacts older than {days} days are filed as a late entry: tick “Late entry” below and say why";
    err_contact_too_late_edit: "只能改到 {days} 天以内的日期", "The date can go back {days} days at most";
    err_late_reason: "请写明补录原因", "Say why the entry is late";
    err_late_not_needed: "这个日期还在补记期限内，请取消勾选“补录申请”直接保存", "This date is still within the window: untick “Late entry” and save";
    err_late_pending: "这一天已有待审核的补录申请", "A late entry for this day is waiting for review";
    err_before_assignment: "早于该青年分配给您的日期", "Before this youth was assigned to you";
    err_not_your_youth: "请从您的青年名单中选择", "Choose a youth from your roster";
    err_not_paired: "请选择您的联系点", "Choose one of your paired organisations";
    err_visit_exists: "该日期已记录下基层工作日", "A visit day is already logged for this date";
    err_edit_window: "只能在 7 天内修改或删除", "Records can be changed or deleted within 7 days only";
    err_resolution_required: "已解决的诉求请填写解决情况", "Say how the request was resolved";
    err_quarter_choice: "只能选择本季度或上季度", "Choose this quarter or the last one";
    err_review_kind: "“采纳”用于工作建议，“已解决”用于解决困难", "Adopt is for work suggestions, resolved for problems solved";
    err_review_closed: "该建议已处理或已退回，无需再审核", "This suggestion is already decided or returned";
    err_review_comment: "不采纳或退回时请写明理由", "Say why when declining or returning";
    err_not_returned: "只有被退回的建议可以修改", "Only a returned suggestion can be revised";
    err_exemption_too_old: "只能补报本季度内的请假", "Leave can be filed back to this quarter's start only";
    err_date_too_far: "日期太远", "This date is too far ahead";
    err_end_before_start: "结束日期不能早于开始日期", "The end cannot be before the start";
    err_exemption_too_long: "一次最多 92 天", "At most 92 days at a time";
    err_exemption_overlap: "与已有的请假（{start} 至 {end}）重叠", "Overlaps another request ({start} to {end})";
    err_already_decided: "该申请已审批", "This request was already decided";
    err_export_quarter: "只能导出本季度及之前两年内的季度", "Only this quarter and the two years before it can be exported";
    imp_missing_columns: "第一行须是模板的列名，缺少：{columns}", "The first row must hold the template's column names; missing: {columns}";
    imp_required: "必填", "Required";
    imp_not_in_list: "“{value}”不是可选值（{choices}）", "\"{value}\" is not one of {choices}";
    imp_birth_year: "出生年份“{value}”应在 {min} 到 {max} 之间", "Birth year \"{value}\" must be between {min} and {max}";
    imp_ambiguous_org: "有多个名为“{value}”的组织，请联系管理员区分", "Several organisations are named \"{value}\"";
    imp_unknown_org: "您管辖的范围内没有名为“{value}”的基层团组织", "No grassroots organisation named \"{value}\" in your part of the tree";
    imp_unknown_cadre: "您管辖的范围内没有用户名、手机号或姓名为“{value}”的在岗团干部", "No active cadre with the username, phone or name \"{value}\" in your part of the tree";
    imp_ambiguous_cadre: "您管辖的范围内有 {n} 位在岗团干部叫“{value}”，请改填用户名或手机号", "{n} active cadres in your part of the tree are called \"{value}\": give the username or phone instead";
    imp_not_spreadsheet: "无法读取这个文件：请上传 Excel（.xlsx）或 CSV 文件", "This file cannot be read: upload an Excel (.xlsx) or CSV file";
    imp_empty: "文件里没有数据行", "The file has no data rows";
    imp_too_many_rows: "一次最多导入 {max} 行，这个文件超过了，请分成几个文件", "At most {max} rows at a time; this file has more: split it";
    imp_unpacked_too_big: "这个 Excel 文件解压后过大，请删去多余的工作表、图片或格式，或另存为 CSV", "This Excel file is too large once unpacked: remove extra sheets, pictures or formatting, or save it as CSV";
    imp_cell_too_long: "文件里有单元格的内容过长（Excel 一个单元格最多 32,767 个字）", "A cell of this file is too long (Excel holds at most 32,767 characters in a cell)";
    imp_too_big: "文件不能超过 10 MB", "The file must not exceed 10 MB";
    imp_no_file: "请选择要上传的文件", "Choose a file to upload";
    imp_dup_in_file: "手机号与第 {line} 行重复", "Same phone number as line {line}";
    imp_dup_in_db: "系统中有 {n} 名青年使用这个手机号，无法确定更新哪一位", "{n} youths have this phone number: which one to update is unclear";
    imp_out_of_scope: "这一行不能由您导入，请与上级团组织核对", "You cannot import this row: check it with the organisation above you";
    err_export_limit: "您已有 {max} 个导出在进行中，请等它们完成后再导出", "You already have {max} exports on their way: wait for them to finish";
    imp_truncated: "文件没有上传完整，请重新选择文件上传", "The file did not arrive whole: choose it and upload it again";
    err_no_such_api: "没有这个接口", "There is no such endpoint";
    imp_busy: "正在处理其他文件，请稍后再试", "Other files are being checked: try again shortly";
    imp_daily_limit: "每人每天最多预检 {max} 次，请明天再试", "At most {max} checks a day per person: try again tomorrow";
    imp_probe: "这个文件像是在试探被隐去的手机号，已拒绝并记录。导入真实名单请联系上级团组织", "This file looks like it is trying out masked phone numbers: it was refused and logged. To import a real roster, ask the organisation above you";
    imp_has_errors: "文件有错误，修正后请重新预检", "The file has errors: fix them and check it again";
    imp_expired: "预检已超过 24 小时，请重新上传预检", "This check is over 24 hours old: check the file again";
    imp_changed: "预检之后名单有变化，请重新上传预检", "The rosters changed since the check: check the file again";
    err_already_reminded: "今天已经提醒过这位团干部", "You already reminded this cadre today";
    err_inactive_cadre: "该账号已停用", "This account is deactivated";
    err_invalid_email: "请输入有效的邮箱地址", "Please enter a valid email address";
    err_not_active_cadre: "请选择本辖区在岗的团干部", "Choose an active cadre of your organisations";
    err_pick_youths: "请选择要调整的青年", "Pick the youths to move";
    err_too_many_youths: "一次最多调整 {max} 人，人员离岗请用“整体移交”", "At most {max} at a time; use the handover for a whole roster";
    err_same_cadre: "接收人不能是同一人", "The successor must be someone else";
    err_overdue_after_due: "逾期天数须大于待联系天数", "Overdue must come after due";
    err_day_exists: "该日期已在日历中", "This day is already in the calendar";
    handover_over_target: "注意：接收后 {name} 的名单将有 {n} 名青年，超过每人联系 {target} 名的要求。可以先移交，再把部分青年调给其他团干部。", "Note: {name} would then hold {n} youths, more than the {target} a roster asks for. You can hand over now and move some youths on afterwards.";
    handover_summary: "{youths} 名青年、{requests} 件未办结诉求、{pairings} 个联系点 → {to}，自 {date} 起", "{youths} youths, {requests} open requests, {pairings} paired organisations → {to}, from {date}";
    err_not_found: "记录不存在或无权访问", "Not found, or not yours to see";
    err_forbidden: "无权进行此操作", "You may not do this";
    err_unauthenticated: "请先登录", "Please sign in first";
    err_internal: "服务器出错，请稍后重试。您填写的内容已保留。", "Something went wrong on the server; please retry. Your input is kept.";
    err_transport: "网络不稳定，请重试。您填写的内容已保留。", "The network failed; please retry. Your input is kept.";
    outbox_title: "待发送", "Waiting to send";
    outbox_intro: "没有网络时保存的记录先存在这部手机上，联网后自动按顺序发送，每条只保存一次。只有您本人登录时能看到和发送它们。", "Records saved without signal wait on this phone and are sent in order when the signal returns, each stored once. Only you, signed in, see and send them.";
    outbox_kept: "已保存在手机上，联网后自动发送", "Saved on this phone: it is sent when the signal returns";
    outbox_badge: "待发送 {n}", "To send: {n}";
    outbox_empty: "没有待发送的记录。", "Nothing is waiting to be sent.";
    outbox_send_now: "立即发送", "Send now";
    outbox_no_script: "待发送的记录需要浏览器启用 JavaScript。", "The outbox needs JavaScript in the browser.";
    outbox_offline_note: "离线：没有网络。现在保存的记录先存在手机上，联网后自动发送。", "Offline: no signal. What you save now waits on this phone and is sent when the signal returns.";
    outbox_state_pending: "待发送", "Waiting";
    outbox_state_invalid: "需修改", "Needs a fix";
    outbox_state_held: "等待重新登录", "Waiting for you to sign in";
    outbox_refused: "服务器未接受这条记录。", "The server did not accept this record.";
    outbox_fix: "修改并重新发送", "Fix and send again";
    outbox_fixing: "这条记录未能保存：请按提示修改后重新提交。", "This record was not saved: fix what is marked and submit it again.";
    outbox_delete: "删除", "Delete";
    outbox_delete_confirm: "删除这条未发送的记录？删除后无法恢复。", "Delete this unsent record? It cannot be undone.";
    outbox_stale: "已等待超过一天：请尽快联网发送（手机长时间不用可能清除网站数据）。", "Waiting for over a day: send it soon (a phone may clear a site's data when it is not used for a while).";
    outbox_age_now: "刚刚", "just now";
    outbox_age_minutes: "{n} 分钟前", "{n} min ago";
    outbox_age_hours: "{n} 小时前", "{n} h ago";
    outbox_age_days: "{n} 天前", "{n} days ago";
    outbox_signout_title: "退出登录", "Sign out";
    outbox_signout_pending: "还有 {n} 条未发送", "{n} records have not been sent";
    outbox_signout_note: "先发送最稳妥。保留的记录留在这部手机上，您下次登录后自动发送，其他账号看不到。", "Sending first is safest. Kept records stay on this phone and are sent when you next sign in; other accounts do not see them.";
    outbox_signout_send: "先发送", "Send first";
    outbox_signout_keep: "保留并退出", "Keep them and sign out";
    outbox_signout_delete: "删除并退出", "Delete them and sign out";
    outbox_signout_delete_confirm: "删除这些未发送的记录并退出？删除后无法恢复。", "Delete these unsent records and sign out? This cannot be undone.";
    outbox_signout_left: "仍有 {n} 条未发送：服务器暂时未接受，请查看待发送列表。", "{n} records are still unsent: the server did not take them yet; see the outbox.";
    outbox_signout_offline: "仍有 {n} 条未发送：现在没有网络。", "{n} records are still unsent: there is no signal now.";
    outbox_signout_needs_signal: "退出登录需要网络：现在没有网络，请联网后再退出。没有发送的记录仍保存在手机上。", "Signing out needs a signal: there is none now. Sign out when it returns; unsent records stay on this phone.";
    // activities (活动)
    ak_theme_day: "主题团日", "Theme day";
    ak_volunteer: "志愿服务", "Volunteering";
    ak_lecture: "宣讲", "Lecture";
    ak_social: "联谊", "Social";
    ak_training: "培训", "Training";
    ak_other: "其他", "Other";
    es_checkin: "活动签到", "Activity sign-in";
    es_join: "加入联系", "Join request";
    est_attended: "已签到", "Signed in";
    est_pending: "待处理", "Waiting";
    est_accepted: "已接受", "Accepted";
    est_dismissed: "已忽略", "Dismissed";
    ed_accept: "接受", "Accept";
    ed_dismiss: "忽略", "Dismiss";
    err_activity_too_old: "只能登记 {days} 天以内的活动", "Activities can be recorded up to {days} days back";
    err_invalid_time: "请按 14:30 的格式填写时间", "Give the time as 14:30";
    err_activity_not_yet: "活动当天起才能登记参加的青年", "Attendees can be recorded from the activity's day";
    err_too_many_signins: "提交太频繁，请稍后再试", "Too many sign-ins from here: try again in a few minutes";
    err_code_invalid: "签到码无效，请核对后重新输入或重新扫码", "This sign-in code is not valid: check it or scan again";
    err_signin_not_open: "签到尚未开始：活动开始前 1 小时起可以签到", "Sign-in has not opened yet: it opens an hour before the activity";
    err_signin_over: "本次活动的签到已结束", "Sign-in for this activity is over";
    err_signin_closed: "组织者已结束本次活动的签到", "The organiser has closed sign-in for this activity";
    err_consent_required: "请阅读并勾选同意个人信息处理告知", "Read the privacy notice and tick that you agree";
    signin_done: "签到成功", "Signed in";
    join_done: "已提交，团干部确认后会与你联系", "Sent: the League cadre will be in touch once they have confirmed";
    err_youth_elsewhere: "该青年已在其他团干部的联系名单中，请联系上级团委调整", "This youth is on another cadre's roster: ask your supervisor to move them";
    nav_activities: "活动", "Activities";
    dashboard_activities: "本期{line}", "This period: {line}";
    err_activity_contact: "这是活动的参加记录：请在活动页修改参加名单", "This is an activity's attendance: change the attendees on the activity's page";
    activities_title: "活动", "Activities";
    activities_quarter: "{quarter} 的活动", "Activities of {quarter}";
    activity_reach: "活动 {held} 场，覆盖 {attendances} 人次、{youths} 名青年", "{held} activities reaching {attendances} attendances, {youths} youths";
    a_quarters: "季度", "Quarters";
    friends_link: "新朋友申请（{n}）", "New friends ({n})";
    activity_new: "新建活动", "New activity";
    activity_new_hint: "保存后出示签到二维码，或从名单中勾选参加的青年；每位参加的青年记一次线下联系。", "Once saved, show the sign-in code or tick the youths who came from your roster; each attendee is logged as one offline contact.";
    activity_create: "保存活动", "Save the activity";
    activities_list: "活动列表", "Activities";
    no_activities: "本季度还没有活动", "No activities this quarter yet";
    a_title: "活动名称", "Title";
    a_kind: "活动类型", "Kind";
    a_date: "活动日期", "Date";
    a_start: "开始时间（选填）", "Start time (optional)";
    a_place: "活动地点", "Place";
    a_org: "基层团组织（选填）", "Grassroots organisation (optional)";
    a_org_none: "不指定", "None";
    a_attendees_n: "参加 {n} 人（扫码签到 {signed} 人）", "{n} attendees ({signed} by sign-in)";
    activity_detail: "活动", "Activity";
    signin_state_not_yet: "签到未开始", "Sign-in not open yet";
    signin_state_open: "签到中", "Sign-in open";
    signin_state_over: "签到已结束", "Sign-in over";
    signin_state_closed: "签到已关闭", "Sign-in closed";
    a_scan_hint: "请青年用微信扫码签到；不能扫码的，在浏览器打开下面的地址，或打开 {site}/a 输入签到码。签到从活动开始前 1 小时到当天 24 点有效。", "Youths scan the code in WeChat; without a scanner, open the address below, or open {site}/a and type the code. Sign-in works from an hour before the start to midnight.";
    a_close: "结束签到", "Close sign-in";
    a_close_confirm: "结束后就不能再扫码签到了。确定结束签到？", "Nobody can sign in after this. Close sign-in?";
    a_visit_title: "同时记为下基层工作日？", "Also the week's visit day?";
    a_visit_hint: "这次活动在您的联系点“{org}”（{date}，工作日），本周还没有记录下基层工作日。", "This activity was at your paired organisation “{org}” ({date}, a working day), and this week has no visit day yet.";
    a_visit_work: "开展活动：{title}", "Held the activity: {title}";
    a_visit_button: "记为本周下基层工作日", "Log it as this week's visit day";
    a_attendees_title: "参加的青年（{n}）", "Attendees ({n})";
    a_locked: "超过补记期限或本季度已审核，参加名单不能再修改。", "Past the late-entry window or in an approved quarter: the attendees can no longer change.";
    a_search: "搜索名单", "Search the roster";
    a_tick_all: "勾选显示的全部", "Tick all shown";
    a_tick_now: "现在勾选参加的青年（选填）", "Tick who came now (optional)";
    a_signed_in: "扫码签到", "Signed in";
    a_edit_fields: "修改活动信息", "Change the activity's details";
    a_save_attendees: "保存参加名单", "Save the attendees";
    friends_title: "新朋友", "New friends";
    friends_pending: "待处理的申请（{n}）", "Waiting ({n})";
    friends_none: "没有待处理的申请", "Nobody is waiting";
    friends_decided: "最近处理的申请", "Recently decided";
    friends_profile: "查看", "Profile";
    friend_from_activity: "在活动“{title}”签到", "Signed in at “{title}”";
    friend_from_link: "通过加入联系链接申请", "Asked through your link";
    friend_on_roster: "该手机号已在您的名单中：接受只记录签到", "This phone is on your roster already: accepting records the sign-in only";
    friend_elsewhere: "该手机号的青年在其他团干部的名单中", "A youth with this phone is on another cadre's roster";
    friend_minor: "未满14周岁：须填写监护人同意后才能接受", "Under 14: accepting needs the guardian's consent";
    friend_consent: "已同意个人信息处理告知（第 {version} 版），{at}", "Agreed to privacy notice version {version}, {at}";
    friend_guardian: "监护人同意", "Guardian's consent";
    friend_more: "补充信息（选填）", "More details (optional)";
    join_link_title: "我的加入联系链接", "My enrolment link";
    join_link_hint: "青年打开这个链接或扫码，填写信息并同意告知后，申请会出现在上面的列表中。", "A youth who opens this link or scans the code, fills in the form and agrees to the notice appears in the list above.";
    join_regenerate: "更换链接", "Replace the link";
    join_regenerate_confirm: "更换后旧链接和旧二维码立即失效。确定更换？", "The old link and code stop working at once. Replace?";
    signin_title: "活动签到", "Activity sign-in";
    signin_button: "签到", "Sign in";
    signin_code_label: "签到码（12 位，如 ABCD-EFGH-JKMN）", "Sign-in code (12 characters, like ABCD-EFGH-JKMN)";
    signin_go: "前往签到", "Go to sign-in";
    signin_done_hint: "感谢参加！你的诉求（如有）已转给组织活动的团干部。", "Thank you for coming! Any request you left goes to the cadre who organised the activity.";
    public_organiser: "主办：{org}", "Organised by {org}";
    public_request: "想说的话或诉求（选填）", "Anything to say or ask (optional)";
    public_notice_title: "个人信息处理告知（第 {version} 版）", "Privacy notice (version {version})";
    public_consent: "我已阅读并同意以上个人信息处理告知", "I have read and agree to the privacy notice above";
    public_notice_region: "告知全文", "The notice in full";
    public_not_found: "页面不存在", "Page not found";
    public_link_invalid: "链接无效或已更换，请向团干部索取新的链接", "This link is not valid or was replaced: ask the cadre for the new one";
    join_title: "加入联系", "Join";
    join_intro: "申请加入团干部 {name}（{org}）的直接联系名单。", "Ask to be in the direct-contact list of League cadre {name} ({org}).";
    join_minor_hint: "未满14周岁的，团干部会先征得你父母或其他监护人的同意。", "If you are under 14, the cadre asks your parent or guardian first.";
    join_button: "提交申请", "Send";
}

/// Replace `{name}` placeholders in a translated text.
/// A count or an amount without trailing zeros: 3, 2.5.
pub fn fmt_amount(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{:.1}", n)
    }
}

pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The locale of the page being rendered (provided once by the shell).
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}

/// The strings of the page being rendered.
pub fn use_t() -> &'static Strings {
    use_locale().strings()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("fr"), None);
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill("最多 {max} 个字", &[("max", "40")]), "最多 40 个字");
        assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Locale::default(), Locale::ZhCn);
        assert_eq!(Locale::default().strings().sign_in, "登录");
    }
}

/// Usernames with runs of numbered ones shortened: `cadre01…cadre11`; a gap starts a new run.
pub fn runs(names: &[String]) -> Vec<String> {
    let split = |n: &str| {
        let digits = n.len() - n.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (stem, num) = n.split_at(n.len() - digits);
        (stem.to_owned(), num.to_owned(), num.parse::<u32>().ok())
    };
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(String, String, u32, String, u32)> = None; // stem, first, n0, last, n1
    let flush = |run: &mut Option<(String, String, u32, String, u32)>, out: &mut Vec<String>| {
        if let Some((_, first, n0, last, n1)) = run.take() {
            match n1 - n0 {
                0 => out.push(first),
                1 => out.extend([first, last]),
                _ => out.push(format!("{first}…{last}")),
            }
        }
    };
    for name in names {
        let (stem, digits, n) = split(name);
        match (&mut run, n) {
            (Some((s, _, _, last, n1)), Some(n))
                if *s == stem && n == *n1 + 1 && digits.len() == last.len() - s.len() =>
            {
                *last = name.clone();
                *n1 = n;
            }
            (_, Some(n)) => {
                flush(&mut run, &mut out);
                run = Some((stem, name.clone(), n, name.clone(), n));
            }
            (_, None) => {
                flush(&mut run, &mut out);
                out.push(name.clone());
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod runs_tests {
    use super::runs;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn numbered_usernames_read_as_runs() {
        let cadres: Vec<String> = (1..=11).map(|i| format!("cadre{i:02}")).collect();
        assert_eq!(runs(&cadres), ["cadre01…cadre11"]);
        assert_eq!(
            runs(&names(&[
                "cadre01", "cadre02", "cadre04", "cadre05", "cadre06"
            ])),
            ["cadre01", "cadre02", "cadre04…cadre06"]
        );
        assert_eq!(
            runs(&names(&["supervisor", "supervisor2"])),
            ["supervisor", "supervisor2"]
        );
        assert_eq!(runs(&names(&["admin"])), ["admin"]);
    }
}
