from fangyi.core.masking import mask_id_number, mask_name, mask_phone


def test_masks_match_what_lists_show():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_id_number("35010219900101123X") == "3501**********123X"
    assert mask_phone("13812341234") == "138****1234"


def test_short_numbers_stay_mostly_hidden():
    assert mask_id_number("E12345678") == "E******78"
    assert mask_id_number("H1234567890") == "H********90"
    assert mask_id_number("AB1") == "***"
    assert mask_id_number("") == ""
