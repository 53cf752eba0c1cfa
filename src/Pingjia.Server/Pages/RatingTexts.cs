using Pingjia.Domain.Ratings;

namespace Pingjia.Server.Pages;

public static class RatingTexts
{
    public static string Channel(RatingChannel c) => c switch
    {
        RatingChannel.Pc => "PC 端",
        RatingChannel.App => "移动端",
        RatingChannel.QrCode => "二维码",
        RatingChannel.HallDevice => "窗口评价器",
        RatingChannel.SelfServiceTerminal => "自助终端",
        RatingChannel.Hotline => "12345 热线",
        RatingChannel.Sms => "短信",
        RatingChannel.Paper => "纸质评价",
        RatingChannel.MiniProgram => "小程序",
        _ => "默认评价",
    };
}
