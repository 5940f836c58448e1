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
    demo_hint: "演示环境：账号 admin、supervisor、cadre01…cadre12，密码均为 demo-liaison", "Demo: accounts admin, supervisor, cadre01…cadre12; every password is demo-liaison";
    // navigation
    nav_today: "今天", "Today";
    nav_orgs: "组织", "Organisations";
    nav_users: "账号", "Accounts";
    nav_settings: "设置", "Settings";
    main_nav: "主导航", "Main navigation";
    // home
    welcome: "你好，{name}", "Hello, {name}";
    your_role: "角色", "Role";
    your_org: "所属组织", "Organisation";
    home_admin_hint: "管理组织架构和账号。", "Keep the organisation tree and the accounts.";
    home_cadre_hint: "本周的下基层、联系青年和季度建议将在这里显示。", "This week's visit day, youth contacts and quarterly suggestions will show here.";
    // roles and posts
    role_admin: "系统管理员", "Administrator";
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
    user_pairings: "联系点", "Paired organisations";
    user_pair: "添加联系点", "Pair with organisation";
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
    // errors
    err_required: "请填写此项", "Please fill this in";
    err_too_long: "最多 {max} 个字", "At most {max} characters";
    err_invalid_choice: "请从列表中选择", "Please choose from the list";
    err_invalid_phone: "请输入 11 位手机号", "Enter an 11-digit mobile number";
    err_invalid_username: "用户名只能包含字母、数字、下划线，3 到 30 位", "Username: 3 to 30 letters, digits or underscores";
    err_username_taken: "该用户名已被使用", "This username is taken";
    err_phone_taken: "该手机号已被使用", "This phone number is taken";
    err_password_short: "密码至少 {min} 位", "At least {min} characters";
    err_password_mismatch: "两次输入的密码不一致", "The two passwords differ";
    err_wrong_password: "当前密码不正确", "The current password is wrong";
    err_bad_credentials: "账号或密码错误", "Wrong account or password";
    err_throttled: "尝试次数过多，请 {secs} 秒后再试", "Too many attempts; try again in {secs} s";
    err_cycle: "不能移到自己或下级组织之下", "Cannot move under itself or one of its descendants";
    err_parent_inactive: "上级组织已停用", "The parent organisation is inactive";
    err_not_grassroots: "只能选择基层团组织", "Choose a grassroots organisation";
    err_already_paired: "已是该团干部的联系点", "Already paired with this cadre";
    err_not_cadre: "只有团干部可以设置联系点", "Only cadres have paired organisations";
    err_root_immovable: "区团委不能移动或停用", "The district committee cannot be moved or deactivated";
    err_has_active_children: "请先停用其下级组织", "Deactivate its child organisations first";
    err_self_deactivate: "不能停用自己的账号", "You cannot deactivate your own account";
    err_not_found: "记录不存在或无权访问", "Not found, or not yours to see";
    err_forbidden: "无权进行此操作", "You may not do this";
    err_unauthenticated: "请先登录", "Please sign in first";
    err_internal: "服务器出错，请稍后重试。您填写的内容已保留。", "Something went wrong on the server; please retry. Your input is kept.";
    err_transport: "网络不稳定，请重试。您填写的内容已保留。", "The network failed; please retry. Your input is kept.";
}

/// Replace `{name}` placeholders in a translated text.
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
