using Pingjia.Domain.Catalog;

namespace Pingjia.Domain.Tests.Catalog;

public sealed class RegionCodeTests
{
    [Theory]
    [InlineData("440000000000", RegionLevel.Province, "44")]
    [InlineData("440300000000", RegionLevel.City, "4403")]
    [InlineData("440304000000", RegionLevel.County, "440304")]
    [InlineData("440304001000", RegionLevel.Township, "440304001")]
    [InlineData("440304001002", RegionLevel.Village, "440304001002")]
    [InlineData("441900003000", RegionLevel.Township, "441900003")] // 东莞: towns directly under a city without districts
    public void Parse_ValidCode_DerivesLevelAndPrefix(string text, RegionLevel level, string prefix)
    {
        var code = RegionCode.Parse(text);
        Assert.Equal(level, code.Level);
        Assert.Equal(prefix, code.Prefix);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4403")]
    [InlineData("4403040000000")]
    [InlineData("44030400000X")]
    [InlineData("000000000000")]
    [InlineData("440004000000")] // county digits without a city
    [InlineData("440300000001")] // village digits without a township
    [InlineData("000100000000")]
    public void Parse_InvalidCode_ThrowsWithCode(string text)
    {
        var ex = Assert.Throws<DomainException>(() => RegionCode.Parse(text));
        Assert.Equal("invalid_region_code", ex.Code);
    }

    [Fact]
    public void IsAncestorOf_PrefixAndLevel_Decide()
    {
        var gd = RegionCode.Parse("440000000000");
        var sz = RegionCode.Parse("440300000000");
        var ft = RegionCode.Parse("440304000000");
        var bj = RegionCode.Parse("110101000000");
        Assert.True(gd.IsAncestorOf(ft));
        Assert.True(sz.IsAncestorOf(ft));
        Assert.False(ft.IsAncestorOf(sz));
        Assert.False(ft.IsAncestorOf(ft));
        Assert.False(gd.IsAncestorOf(bj));
    }
}

public sealed class CreditCodeTests
{
    // The example code printed in explanations of GB 32100-2015.
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91350100M00010010Q")] // the hand-worked example below
    public void Validate_KnownGoodCodes_AreValid(string code) => Assert.Null(CreditCode.Validate(code));

    [Fact]
    public void CheckChar_HandWorkedExample_Matches()
    {
        // 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25 + 0·13 + 1·8 + 0·24 + 0·10 + 1·30 + 0·28
        // = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 30 = 658; 658 mod 31 = 7; 31 − 7 = 24 → alphabet[24] = 'Q'.
        Assert.Equal('Q', CreditCode.CheckChar("91350100M00010010"));
    }

    [Theory]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("9135010OM000100Y43", "not allowed")]
    [InlineData("91ABCDEFM000100Y43", "region digits")]
    public void Validate_BadCodes_SayWhy(string code, string reason) =>
        Assert.Contains(reason, CreditCode.Validate(code), StringComparison.Ordinal);
}

public sealed class ValidationTests
{
    [Fact]
    public void ThrowIfInvalid_SeveralFields_ReportsAll()
    {
        var ex = Assert.Throws<DomainException>(() => new Validation().Required(null, "a", 5).Required("toolong", "b", 3).ThrowIfInvalid());
        Assert.Equal(["a", "b"], ex.Errors.Keys.Order());
        Assert.Equal(ErrorKind.Validation, ex.Kind);
    }
}
